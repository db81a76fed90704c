package io.songmap.artifacts;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A small S3 server for tests: the REST protocol over HTTP with path-style addressing
 * ({@code /bucket/key}), holding objects in memory. It speaks what {@link S3ArtifactStore} uses:
 * PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects and ListObjectsV2 (prefix,
 * max-keys, continuation token), with user metadata in {@code x-amz-meta-*} headers and S3's XML
 * error bodies. Every request must carry an {@code Authorization} header, but any SigV4 signature
 * is accepted, chunk signatures of {@code aws-chunked} bodies included: the fake knows no secrets.
 * A plain body whose {@code x-amz-content-sha256} does not match is rejected as S3 does. Listings return at most {@code pageSize} keys, so that clients must
 * follow continuation tokens.
 */
final class FakeS3 {
  private static final String NS = "http://s3.amazonaws.com/doc/2006-03-01/";
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  record StoredObject(byte[] data, Map<String, String> metadata, Instant lastModified, String etag) {}

  private final Map<String, NavigableMap<String, StoredObject>> buckets = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final int pageSize;
  private HttpServer server;

  private FakeS3(int pageSize) {
    this.pageSize = pageSize;
  }

  static Future<FakeS3> start(Vertx vertx, int pageSize, String... bucketNames) {
    FakeS3 fake = new FakeS3(pageSize);
    for (String b : bucketNames) {
      fake.buckets.put(b, new ConcurrentSkipListMap<>());
    }
    fake.server = vertx.createHttpServer(new HttpServerOptions().setHandle100ContinueAutomatically(true))
        .requestHandler(fake::handle);
    return fake.server.listen(0, "127.0.0.1").map(fake);
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  /** Places an object as another tool would have written it. */
  void plant(String bucket, String key, byte[] data, Map<String, String> metadata) {
    buckets.get(bucket).put(key, new StoredObject(data, Map.copyOf(metadata), Instant.now(), md5(data)));
  }

  List<String> keys(String bucket) {
    return new ArrayList<>(buckets.get(bucket).keySet());
  }

  /** How many requests of one operation ({@code PutObject}, {@code GetObject}, ...) arrived. */
  int calls(String operation) {
    AtomicInteger n = calls.get(operation);
    return n == null ? 0 : n.get();
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      try {
        route(req, body);
      } catch (RuntimeException e) {
        error(req, 500, "InternalError", String.valueOf(e));
      }
    }).onFailure(e -> req.response().setStatusCode(400).end());
  }

  private void route(HttpServerRequest req, Buffer body) {
    String auth = req.getHeader("Authorization");
    if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256 ")) {
      error(req, 403, "AccessDenied", "Access Denied");
      return;
    }
    String path = URLDecoder.decode(req.path().replace("+", "%2B"), StandardCharsets.UTF_8);
    String[] parts = path.substring(1).split("/", 2);
    String bucketName = parts[0];
    String key = parts.length > 1 ? parts[1] : "";
    NavigableMap<String, StoredObject> bucket = buckets.get(bucketName);
    if (bucket == null) {
      error(req, 404, "NoSuchBucket", "The specified bucket does not exist");
      return;
    }
    HttpMethod m = req.method();
    if (key.isEmpty()) {
      if (m == HttpMethod.GET && "2".equals(req.getParam("list-type"))) {
        count("ListObjectsV2");
        list(req, bucketName, bucket);
      } else if (m == HttpMethod.POST && req.params().contains("delete")) {
        count("DeleteObjects");
        deleteObjects(req, bucket, body);
      } else {
        error(req, 501, "NotImplemented", "not implemented by this fake: " + m + " " + req.uri());
      }
      return;
    }
    if (m == HttpMethod.PUT) {
      count("PutObject");
      put(req, bucket, key, body);
    } else if (m == HttpMethod.GET) {
      count("GetObject");
      get(req, bucket, key, true);
    } else if (m == HttpMethod.HEAD) {
      count("HeadObject");
      get(req, bucket, key, false);
    } else if (m == HttpMethod.DELETE) {
      count("DeleteObject");
      bucket.remove(key);
      req.response().setStatusCode(204).end();
    } else {
      error(req, 501, "NotImplemented", "not implemented by this fake: " + m + " " + req.uri());
    }
  }

  private void count(String operation) {
    calls.computeIfAbsent(operation, k -> new AtomicInteger()).incrementAndGet();
  }

  private void put(HttpServerRequest req, NavigableMap<String, StoredObject> bucket, String key, Buffer body) {
    if (req.getHeader("x-amz-copy-source") != null) {
      error(req, 501, "NotImplemented", "this fake does not copy objects");
      return;
    }
    String contentSha = req.getHeader("x-amz-content-sha256");
    byte[] data;
    if (contentSha != null && contentSha.startsWith("STREAMING-")) {
      data = decodeAwsChunked(body);
      String declared = req.getHeader("x-amz-decoded-content-length");
      if (data == null || declared == null || Long.parseLong(declared) != data.length) {
        error(req, 400, "IncompleteBody", "The request body does not match its x-amz-decoded-content-length.");
        return;
      }
    } else {
      data = body.getBytes();
      if (contentSha != null && contentSha.matches("[0-9a-f]{64}") && !contentSha.equals(sha256(data))) {
        error(req, 400, "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.");
        return;
      }
    }
    Map<String, String> metadata = new TreeMap<>();
    req.headers().forEach((name, value) -> {
      String n = name.toLowerCase(Locale.ROOT);
      if (n.startsWith("x-amz-meta-")) {
        metadata.put(n.substring("x-amz-meta-".length()), value);
      }
    });
    StoredObject o = new StoredObject(data, Map.copyOf(metadata), Instant.now(), md5(data));
    bucket.put(key, o);
    req.response().putHeader("ETag", o.etag()).end();
  }

  /**
   * The payload of an {@code aws-chunked} body: chunks of {@code <hex size>[;chunk-signature=...]\r\n
   * <bytes>\r\n}, ended by a chunk of size 0 and optional trailers. Chunk signatures are not checked.
   * Null when the body is malformed.
   */
  private static byte[] decodeAwsChunked(Buffer body) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int pos = 0;
    while (true) {
      int eol = indexOfCrlf(body, pos);
      if (eol < 0) {
        return null;
      }
      String header = body.getString(pos, eol, "US-ASCII");
      int semi = header.indexOf(';');
      int size;
      try {
        size = Integer.parseInt(semi < 0 ? header.trim() : header.substring(0, semi).trim(), 16);
      } catch (NumberFormatException e) {
        return null;
      }
      pos = eol + 2;
      if (size == 0) {
        return out.toByteArray(); // what follows are trailers (checksums), which this fake ignores
      }
      if (pos + size + 2 > body.length()) {
        return null;
      }
      out.writeBytes(body.getBytes(pos, pos + size));
      pos += size + 2;
    }
  }

  private static int indexOfCrlf(Buffer b, int from) {
    for (int i = from; i + 1 < b.length(); i++) {
      if (b.getByte(i) == '\r' && b.getByte(i + 1) == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void get(HttpServerRequest req, NavigableMap<String, StoredObject> bucket, String key, boolean withBody) {
    StoredObject o = bucket.get(key);
    if (o == null) {
      if (withBody) {
        error(req, 404, "NoSuchKey", "The specified key does not exist.");
      } else {
        req.response().setStatusCode(404).end(); // a HEAD response has no body
      }
      return;
    }
    HttpServerResponse r = req.response()
        .putHeader("Content-Type", "application/octet-stream")
        .putHeader("ETag", o.etag())
        .putHeader("Last-Modified", HTTP_DATE.format(o.lastModified()))
        .putHeader("Content-Length", Integer.toString(o.data().length));
    o.metadata().forEach((k, v) -> r.putHeader("x-amz-meta-" + k, v));
    if (withBody) {
      r.end(Buffer.buffer(o.data()));
    } else {
      r.end();
    }
  }

  private void list(HttpServerRequest req, String bucketName, NavigableMap<String, StoredObject> bucket) {
    String prefix = req.getParam("prefix", "");
    int maxKeys = Math.min(pageSize, Integer.parseInt(req.getParam("max-keys", "1000")));
    String token = req.getParam("continuation-token");
    boolean urlEncoded = "url".equals(req.getParam("encoding-type"));
    String after = token == null ? req.getParam("start-after", "")
        : new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    StringBuilder contents = new StringBuilder();
    int count = 0;
    String last = null;
    boolean truncated = false;
    for (Map.Entry<String, StoredObject> e : bucket.tailMap(after, false).entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        if (e.getKey().compareTo(prefix) > 0) {
          break;
        }
        continue;
      }
      if (count == maxKeys) {
        truncated = true;
        break;
      }
      StoredObject o = e.getValue();
      contents.append("<Contents><Key>").append(xml(encode(e.getKey(), urlEncoded))).append("</Key>")
          .append("<LastModified>").append(o.lastModified()).append("</LastModified>")
          .append("<ETag>").append(xml(o.etag())).append("</ETag>")
          .append("<Size>").append(o.data().length).append("</Size>")
          .append("<StorageClass>STANDARD</StorageClass></Contents>");
      count++;
      last = e.getKey();
    }
    StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .append("<ListBucketResult xmlns=\"").append(NS).append("\">")
        .append("<Name>").append(xml(bucketName)).append("</Name>")
        .append("<Prefix>").append(xml(encode(prefix, urlEncoded))).append("</Prefix>")
        .append("<KeyCount>").append(count).append("</KeyCount>")
        .append("<MaxKeys>").append(maxKeys).append("</MaxKeys>")
        .append("<IsTruncated>").append(truncated).append("</IsTruncated>");
    if (token != null) {
      x.append("<ContinuationToken>").append(xml(token)).append("</ContinuationToken>");
    }
    if (truncated) {
      x.append("<NextContinuationToken>")
          .append(Base64.getUrlEncoder().encodeToString(last.getBytes(StandardCharsets.UTF_8)))
          .append("</NextContinuationToken>");
    }
    if (urlEncoded) {
      x.append("<EncodingType>url</EncodingType>");
    }
    x.append(contents).append("</ListBucketResult>");
    xmlResponse(req, 200, x.toString());
  }

  private void deleteObjects(HttpServerRequest req, NavigableMap<String, StoredObject> bucket, Buffer body) {
    Document doc;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setNamespaceAware(true);
      doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(body.getBytes()));
    } catch (Exception e) {
      error(req, 400, "MalformedXML", "The XML you provided was not well-formed");
      return;
    }
    NodeList objects = doc.getElementsByTagNameNS("*", "Object");
    if (objects.getLength() > 1000) {
      error(req, 400, "MalformedXML", "more than 1000 keys");
      return;
    }
    NodeList quietNodes = doc.getElementsByTagNameNS("*", "Quiet");
    boolean quiet = quietNodes.getLength() > 0 && "true".equals(quietNodes.item(0).getTextContent().trim());
    StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><DeleteResult xmlns=\"")
        .append(NS).append("\">");
    for (int i = 0; i < objects.getLength(); i++) {
      Element o = (Element) objects.item(i);
      String key = o.getElementsByTagNameNS("*", "Key").item(0).getTextContent();
      bucket.remove(key);
      if (!quiet) {
        x.append("<Deleted><Key>").append(xml(key)).append("</Key></Deleted>");
      }
    }
    xmlResponse(req, 200, x.append("</DeleteResult>").toString());
  }

  private static void error(HttpServerRequest req, int status, String code, String message) {
    xmlResponse(req, status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>"
        + xml(message) + "</Message><Resource>" + xml(req.path()) + "</Resource><RequestId>"
        + UUID.randomUUID() + "</RequestId></Error>");
  }

  private static void xmlResponse(HttpServerRequest req, int status, String xml) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/xml")
        .putHeader("x-amz-request-id", UUID.randomUUID().toString()).end(xml);
  }

  private static String encode(String s, boolean urlEncoded) {
    return urlEncoded ? URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20") : s;
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String md5(byte[] data) {
    try {
      return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data)) + "\"";
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
