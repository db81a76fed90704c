package io.songmap.launcher.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per log event, one per line, with flat fields that log stores index without configuration:
 * {@code timestamp} (ISO-8601, UTC), {@code level}, {@code logger}, {@code thread}, {@code message}, then every
 * MDC entry and every key-value pair of the event ({@code jobId}, {@code tenant}, ...) as a field of its own, and
 * {@code exception} (the stack trace) when there is one. A key that repeats an earlier field is left out.
 *
 * <p>Logback's own {@code JsonEncoder} nests key-values in a list of one-entry objects and writes epoch
 * milliseconds, which log queries then have to unpick.
 */
public final class JsonLogEncoder extends EncoderBase<ILoggingEvent> {

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    StringBuilder out = new StringBuilder(256);
    Set<String> written = new HashSet<>();
    out.append('{');
    field(out, written, "timestamp", event.getInstant().toString());
    field(out, written, "level", event.getLevel().toString());
    field(out, written, "logger", event.getLoggerName());
    field(out, written, "thread", event.getThreadName());
    field(out, written, "message", event.getFormattedMessage());
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc != null) {
      mdc.forEach((k, v) -> field(out, written, k, v));
    }
    if (event.getKeyValuePairs() != null) {
      for (KeyValuePair kv : event.getKeyValuePairs()) {
        field(out, written, kv.key, kv.value);
      }
    }
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      field(out, written, "exception", ThrowableProxyUtil.asString(thrown));
    }
    out.append("}\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  private static void field(StringBuilder out, Set<String> written, String key, Object value) {
    if (key == null || !written.add(key)) {
      return;
    }
    if (written.size() > 1) {
      out.append(',');
    }
    string(out, key);
    out.append(':');
    if (value == null) {
      out.append("null");
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
        || (value instanceof Double d && Double.isFinite(d))) {
      out.append(value);
    } else {
      string(out, value.toString());
    }
  }

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
