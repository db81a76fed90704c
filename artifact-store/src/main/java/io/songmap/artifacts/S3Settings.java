package io.songmap.artifacts;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and how {@link S3ArtifactStore} reaches its bucket. With no {@code endpoint} the client talks
 * to AWS in {@code region}; with one it talks to any S3-compatible server (MinIO, Ceph), usually with
 * {@code pathStyle} addressing ({@code http://host/bucket/key}) because such servers seldom have a
 * DNS name per bucket. Without an access key the client uses the AWS default credential chain
 * (environment, profile, instance or container role).
 *
 * @param endpoint the server's base URI, or null for AWS ({@code SONGMAP_S3_ENDPOINT})
 * @param bucket an existing bucket ({@code SONGMAP_S3_BUCKET}, default {@code songmap})
 * @param region signing region ({@code SONGMAP_S3_REGION}, default {@code us-east-1})
 * @param accessKey access key id, or null for the default chain ({@code SONGMAP_S3_ACCESS_KEY})
 * @param secretKey secret key, given exactly when the access key is ({@code SONGMAP_S3_SECRET_KEY})
 * @param pathStyle path-style addressing ({@code SONGMAP_S3_PATH_STYLE}, default true with an endpoint)
 * @param cacheDir local folder for {@link ArtifactStore#localFile} copies and upload spools
 * @param ioThreads the worker threads, and HTTP connections, for S3 calls ({@code SONGMAP_S3_IO_THREADS})
 * @param requestTimeout how long one socket read or connect may take ({@code SONGMAP_S3_TIMEOUT})
 */
public record S3Settings(URI endpoint, String bucket, String region, String accessKey, String secretKey,
    boolean pathStyle, Path cacheDir, int ioThreads, Duration requestTimeout) {
  // S3's bucket naming rules, less the legacy upper-case names that path-style access alone allows.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  public S3Settings {
    if (endpoint != null) {
      String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
        throw new IllegalArgumentException("SONGMAP_S3_ENDPOINT must be an http(s) URL, was '" + endpoint + "'");
      }
    }
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      throw new IllegalArgumentException("SONGMAP_S3_BUCKET must be an S3 bucket name, was '" + bucket + "'");
    }
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException("SONGMAP_S3_REGION must not be blank");
    }
    if ((accessKey == null) != (secretKey == null)) {
      throw new IllegalArgumentException("SONGMAP_S3_ACCESS_KEY and SONGMAP_S3_SECRET_KEY go together: set both or neither");
    }
    Objects.requireNonNull(cacheDir, "cacheDir");
    if (ioThreads < 1) {
      throw new IllegalArgumentException("SONGMAP_S3_IO_THREADS must be at least 1, was " + ioThreads);
    }
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("SONGMAP_S3_TIMEOUT must be positive, was " + requestTimeout);
    }
  }

  /** Reads the {@code SONGMAP_S3_*} variables; {@code cacheDir} holds local copies. */
  public static S3Settings fromEnv(Map<String, String> env, Path cacheDir) {
    String endpointText = get(env, "SONGMAP_S3_ENDPOINT", null);
    URI endpoint;
    try {
      endpoint = endpointText == null ? null : URI.create(endpointText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("SONGMAP_S3_ENDPOINT must be an http(s) URL, was '" + endpointText + "'");
    }
    String pathStyle = get(env, "SONGMAP_S3_PATH_STYLE", Boolean.toString(endpoint != null)).toLowerCase(Locale.ROOT);
    if (!pathStyle.equals("true") && !pathStyle.equals("false")) {
      throw new IllegalArgumentException("SONGMAP_S3_PATH_STYLE must be true or false, was '" + pathStyle + "'");
    }
    String threads = get(env, "SONGMAP_S3_IO_THREADS", "8");
    String timeout = get(env, "SONGMAP_S3_TIMEOUT", "PT60S");
    try {
      return new S3Settings(endpoint, get(env, "SONGMAP_S3_BUCKET", "songmap"), get(env, "SONGMAP_S3_REGION", "us-east-1"),
          get(env, "SONGMAP_S3_ACCESS_KEY", null), get(env, "SONGMAP_S3_SECRET_KEY", null),
          pathStyle.equals("true"), cacheDir, Integer.parseInt(threads), parseDuration(timeout));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("SONGMAP_S3_IO_THREADS must be an integer, was '" + threads + "'");
    }
  }

  private static Duration parseDuration(String text) {
    String v = text.toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("p")) {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw new IllegalArgumentException("SONGMAP_S3_TIMEOUT must be a duration like 30s or PT30S, was '" + text + "'");
  }

  private static String get(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  @Override
  public String toString() {
    return "S3Settings[endpoint=" + (endpoint == null ? "AWS" : endpoint) + ", bucket=" + bucket + ", region=" + region
        + ", accessKey=" + (accessKey == null ? "(default chain)" : accessKey) + ", secretKey=" + (secretKey == null ? "-" : "***")
        + ", pathStyle=" + pathStyle + ", cacheDir=" + cacheDir + ", ioThreads=" + ioThreads
        + ", requestTimeout=" + requestTimeout + "]";
  }
}
