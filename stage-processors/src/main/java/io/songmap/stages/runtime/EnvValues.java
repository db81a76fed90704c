package io.songmap.stages.runtime;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Reads settings from environment variables: durations as {@code 250ms}, {@code 5s}, {@code 2m} or
 * ISO-8601 ({@code PT5S}); a missing or blank variable gives the default.
 */
public final class EnvValues {
  private final Map<String, String> env;

  public EnvValues(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public static EnvValues system() {
    return new EnvValues(System.getenv());
  }

  public String string(String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  public int integer(String name, int fallback) {
    String v = string(name, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, was '" + v + "'");
    }
  }

  public Duration duration(String name, Duration fallback) {
    String v = string(name, null);
    return v == null ? fallback : parseDuration(name, v);
  }

  static Duration parseDuration(String name, String text) {
    String v = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("pt") || v.startsWith("p")) {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
      }
      if (v.endsWith("m")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
      }
    } catch (RuntimeException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(name + " must be a duration such as 250ms, 5s, 2m or PT5S, was '" + text + "'");
  }
}
