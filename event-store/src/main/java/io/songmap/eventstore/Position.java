package io.songmap.eventstore;

/**
 * A place in the global log: the writing transaction's id and the event's global position. Events are ordered
 * by {@code tx} first, so that an event committed late by a long transaction still sorts after every position a
 * reader may already have stored.
 */
public record Position(long tx, long globalPosition) implements Comparable<Position> {

  /** Before the first event. */
  public static final Position START = new Position(0, 0);

  @Override
  public int compareTo(Position o) {
    int c = Long.compareUnsigned(tx, o.tx);
    return c != 0 ? c : Long.compare(globalPosition, o.globalPosition);
  }

  @Override
  public String toString() {
    return tx + "/" + globalPosition;
  }
}
