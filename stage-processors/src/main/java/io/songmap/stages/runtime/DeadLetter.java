package io.songmap.stages.runtime;

/**
 * A record that can never be processed (unparseable, unknown schema, invalid contents). The
 * consumer moves it to the topic's dead-letter queue with this message in its headers and goes on.
 */
public final class DeadLetter extends RuntimeException {
  private final String code;

  public DeadLetter(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public DeadLetter(String code, String message) {
    this(code, message, null);
  }

  public String code() {
    return code;
  }
}
