package io.songmap.eventstore;

/** Options of a stream read: whether an archived stream is read like any other. */
public record ReadOptions(boolean includeArchived) {
  public static final ReadOptions DEFAULT = new ReadOptions(false);
  public static final ReadOptions INCLUDE_ARCHIVED = new ReadOptions(true);
}
