package io.songmap.eventstore;

/** Base of the store's typed rejections. */
public abstract sealed class EventStoreException extends RuntimeException
    permits WrongExpectedVersion, StreamArchived, DuplicateEvent {

  protected EventStoreException(String message) {
    super(message, null, false, false);
  }
}
