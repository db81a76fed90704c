package io.songmap.inference.triton;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link TritonClient}, validated once at start.
 *
 * @param target gRPC target, {@code host:port} (Triton's gRPC port is 8001)
 * @param deadline default overall deadline of a call, retries included
 * @param maxInboundMessageBytes largest response accepted; one Demucs segment's stems are ~11 MB
 * @param retry backoff for UNAVAILABLE and RESOURCE_EXHAUSTED
 * @param tls whether to speak TLS
 * @param tlsTrustCertificates PEM file of CA certificates to trust; empty trusts the system's
 * @param bearerToken sent as {@code authorization: Bearer <token>} on every call when present
 */
public record TritonClientConfig(
    String target,
    Duration deadline,
    int maxInboundMessageBytes,
    RetryPolicy retry,
    boolean tls,
    Optional<Path> tlsTrustCertificates,
    Optional<String> bearerToken) {

  public static final String DEFAULT_TARGET = "localhost:8001";
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 256 * 1024 * 1024;

  public TritonClientConfig {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(tlsTrustCertificates, "tlsTrustCertificates");
    Objects.requireNonNull(bearerToken, "bearerToken");
    if (target.isBlank()) {
      throw new IllegalArgumentException("target is blank");
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, got " + deadline);
    }
    if (maxInboundMessageBytes < 4 * 1024 * 1024) {
      throw new IllegalArgumentException("maxInboundMessageBytes must be at least 4 MiB, got " + maxInboundMessageBytes);
    }
    if (tlsTrustCertificates.isPresent() && !tls) {
      throw new IllegalArgumentException("tlsTrustCertificates is set but tls is off");
    }
    if (bearerToken.isPresent() && bearerToken.get().isBlank()) {
      throw new IllegalArgumentException("bearerToken is blank");
    }
  }

  /** Defaults for everything but the target: plaintext, no auth, 60 s deadline, 256 MiB messages. */
  public static TritonClientConfig of(String target) {
    return new TritonClientConfig(target, DEFAULT_DEADLINE, DEFAULT_MAX_INBOUND_MESSAGE_BYTES,
        RetryPolicy.DEFAULT, false, Optional.empty(), Optional.empty());
  }

  public TritonClientConfig withDeadline(Duration d) {
    return new TritonClientConfig(target, d, maxInboundMessageBytes, retry, tls, tlsTrustCertificates, bearerToken);
  }

  public TritonClientConfig withRetry(RetryPolicy r) {
    return new TritonClientConfig(target, deadline, maxInboundMessageBytes, r, tls, tlsTrustCertificates, bearerToken);
  }

  public TritonClientConfig withMaxInboundMessageBytes(int bytes) {
    return new TritonClientConfig(target, deadline, bytes, retry, tls, tlsTrustCertificates, bearerToken);
  }

  public TritonClientConfig withBearerToken(String token) {
    return new TritonClientConfig(target, deadline, maxInboundMessageBytes, retry, tls, tlsTrustCertificates, Optional.of(token));
  }

  public TritonClientConfig withTls(Optional<Path> trustCertificates) {
    return new TritonClientConfig(target, deadline, maxInboundMessageBytes, retry, true, trustCertificates, bearerToken);
  }

  /**
   * Reads {@code SONGMAP_TRITON_TARGET}, {@code SONGMAP_TRITON_DEADLINE_MS},
   * {@code SONGMAP_TRITON_MAX_MESSAGE_BYTES}, {@code SONGMAP_TRITON_RETRY_MAX_ATTEMPTS},
   * {@code SONGMAP_TRITON_RETRY_INITIAL_BACKOFF_MS}, {@code SONGMAP_TRITON_RETRY_MAX_BACKOFF_MS},
   * {@code SONGMAP_TRITON_TLS}, {@code SONGMAP_TRITON_TLS_CA_FILE} and
   * {@code SONGMAP_TRITON_BEARER_TOKEN}; each missing one takes its default.
   */
  public static TritonClientConfig fromEnv(Map<String, String> env) {
    RetryPolicy r = new RetryPolicy(
        intOf(env, "SONGMAP_TRITON_RETRY_MAX_ATTEMPTS", RetryPolicy.DEFAULT.maxAttempts()),
        millisOf(env, "SONGMAP_TRITON_RETRY_INITIAL_BACKOFF_MS", RetryPolicy.DEFAULT.initialBackoff()),
        millisOf(env, "SONGMAP_TRITON_RETRY_MAX_BACKOFF_MS", RetryPolicy.DEFAULT.maxBackoff()),
        RetryPolicy.DEFAULT.multiplier());
    Optional<Path> ca = Optional.ofNullable(env.get("SONGMAP_TRITON_TLS_CA_FILE")).filter(s -> !s.isBlank()).map(Path::of);
    boolean tls = Boolean.parseBoolean(env.getOrDefault("SONGMAP_TRITON_TLS", "false")) || ca.isPresent();
    return new TritonClientConfig(
        env.getOrDefault("SONGMAP_TRITON_TARGET", DEFAULT_TARGET),
        millisOf(env, "SONGMAP_TRITON_DEADLINE_MS", DEFAULT_DEADLINE),
        intOf(env, "SONGMAP_TRITON_MAX_MESSAGE_BYTES", DEFAULT_MAX_INBOUND_MESSAGE_BYTES),
        r, tls, ca,
        Optional.ofNullable(env.get("SONGMAP_TRITON_BEARER_TOKEN")).filter(s -> !s.isBlank()));
  }

  private static int intOf(Map<String, String> env, String key, int dflt) {
    String v = env.get(key);
    try {
      return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " is not an integer: '" + v + "'", e);
    }
  }

  private static Duration millisOf(Map<String, String> env, String key, Duration dflt) {
    String v = env.get(key);
    try {
      return v == null || v.isBlank() ? dflt : Duration.ofMillis(Long.parseLong(v.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " is not a number of milliseconds: '" + v + "'", e);
    }
  }

  /**
   * Exponential backoff between attempts: {@code initialBackoff * multiplier^(n-1)}, capped at
   * {@code maxBackoff}, with ±20 % jitter so that clients restarted together spread out.
   */
  public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(8, Duration.ofMillis(200), Duration.ofSeconds(10), 2.0);
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ofMillis(100), Duration.ofMillis(100), 1.0);

    public RetryPolicy {
      Objects.requireNonNull(initialBackoff, "initialBackoff");
      Objects.requireNonNull(maxBackoff, "maxBackoff");
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
      }
      if (initialBackoff.isNegative() || initialBackoff.isZero()) {
        throw new IllegalArgumentException("initialBackoff must be positive, got " + initialBackoff);
      }
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is below initialBackoff " + initialBackoff);
      }
      if (!(multiplier >= 1.0)) {
        throw new IllegalArgumentException("multiplier must be >= 1, got " + multiplier);
      }
    }

    /** The pause before attempt {@code attempt + 1}, where {@code attempt} counts from 1; without jitter. */
    public Duration backoffAfter(int attempt) {
      double nanos = initialBackoff.toNanos() * Math.pow(multiplier, attempt - 1);
      return Duration.ofNanos((long) Math.min(nanos, maxBackoff.toNanos()));
    }
  }
}
