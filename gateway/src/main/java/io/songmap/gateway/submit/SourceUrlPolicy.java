package io.songmap.gateway.submit;

import io.songmap.gateway.http.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * Which source URLs the service will download: http and https only, and no host that resolves to a loopback,
 * private, link-local, unique-local, multicast or unspecified address, so that a submission cannot make the
 * ingest stage reach into our own network. Hosts in the allow list are exempt (a local test server, an internal
 * mirror).
 */
public final class SourceUrlPolicy {
  private final Vertx vertx;
  private final Set<String> allowedHosts;

  public SourceUrlPolicy(Vertx vertx, Set<String> allowedHosts) {
    this.vertx = vertx;
    this.allowedHosts = Set.copyOf(allowedHosts);
  }

  /** The URL if it may be fetched; otherwise fails with an {@link ApiError} (422 INVALID_SOURCE_URL). */
  public Future<URI> check(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException | NullPointerException e) {
      return Future.failedFuture(invalid("not a URL: " + url));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return Future.failedFuture(invalid("only http and https URLs are accepted"));
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty() || uri.getUserInfo() != null) {
      return Future.failedFuture(invalid("the URL needs a host and no user info"));
    }
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (allowedHosts.contains(bare.toLowerCase(Locale.ROOT))) {
      return Future.succeededFuture(uri);
    }
    // Name resolution blocks: it runs on a worker thread.
    return vertx.executeBlocking(() -> {
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(bare);
      } catch (UnknownHostException e) {
        throw invalid("unknown host " + bare);
      }
      for (InetAddress a : addresses) {
        if (isInternal(a)) {
          throw invalid("the URL's host " + bare + " is an internal address");
        }
      }
      return uri;
    }, false);
  }

  static boolean isInternal(InetAddress a) {
    if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) {
        return true; // unique local fc00::/7
      }
      boolean v4Mapped = true;
      for (int i = 0; i < 10; i++) {
        v4Mapped &= b[i] == 0;
      }
      if (v4Mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        try {
          return isInternal(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
        } catch (UnknownHostException e) {
          return true;
        }
      }
      return false;
    }
    int first = b[0] & 0xff;
    int second = b[1] & 0xff;
    return first == 0 || (first == 100 && second >= 64 && second < 128); // "this network", carrier-grade NAT
  }

  private static ApiError invalid(String message) {
    return ApiError.unprocessable("INVALID_SOURCE_URL", message);
  }
}
