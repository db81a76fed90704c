package io.songmap.launcher.logging;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How the launcher's log reads: one JSON object per line for the server roles, whose logs a machine collects,
 * and text for the commands a person watches in a terminal. {@code SONGMAP_LOG_FORMAT} ({@code json} or
 * {@code text}) overrides the choice for every command.
 */
public enum LogFormat {
  JSON,
  TEXT;

  public static final String ENV = "SONGMAP_LOG_FORMAT";
  /** The system property {@code logback.xml} picks its appender by. */
  public static final String PROPERTY = "songmap.log.format";
  private static final Set<String> SERVER_COMMANDS = Set.of("gateway", "processors", "relay", "cpu-server");

  /**
   * The format for a command line.
   *
   * @throws IllegalArgumentException when {@code SONGMAP_LOG_FORMAT} is neither {@code json} nor {@code text}
   */
  public static LogFormat choose(String[] args, Map<String, String> env) {
    String set = env.getOrDefault(ENV, "").trim();
    if (!set.isEmpty()) {
      return switch (set.toLowerCase(Locale.ROOT)) {
        case "json" -> JSON;
        case "text" -> TEXT;
        default -> throw new IllegalArgumentException(ENV + " must be json or text, was " + set);
      };
    }
    for (String arg : args) {
      if (!arg.startsWith("-")) {
        return SERVER_COMMANDS.contains(arg) ? JSON : TEXT;
      }
    }
    return TEXT;
  }

  /** Makes this the format of the log; takes effect only before the first logger is created. */
  public void use() {
    System.setProperty(PROPERTY, name().toLowerCase(Locale.ROOT));
  }
}
