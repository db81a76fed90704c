package io.songmap.artifacts;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hashing shared by the stores: streamed uploads spooled to a file, and blocking reads of a stream. */
final class HashingCopy {
  private HashingCopy() {}

  /** The SHA-256 (lower-case hex) and size of content that went through a copy. */
  record Copied(String sha256, long size) {}

  /**
   * Pipes {@code body} into {@code file} with back-pressure, hashing as it goes; fails with {@link
   * ArtifactTooLarge} as soon as more than {@code maxBytes} arrive. Runs on the caller's context.
   */
  /**
   * Writes {@code body} into a new file {@code target}, hashing it and enforcing {@code maxBytes} as {@link #pipe}
   * does; with {@code durable} the file is flushed to the disk before it is closed. The file is closed in every case.
   */
  static Future<Copied> toFile(Vertx vertx, ReadStream<Buffer> body, Path target, long maxBytes, boolean durable) {
    return vertx.fileSystem().open(target.toString(), new OpenOptions().setWrite(true).setCreate(true))
        .compose(file -> pipe(body, file, maxBytes)
            .compose(result -> (durable ? file.flush() : Future.<Void>succeededFuture()).compose(v -> file.close())
                .map(result))
            .recover(err -> file.close().otherwiseEmpty().compose(v -> Future.<Copied>failedFuture(err))));
  }

  static Future<Copied> pipe(ReadStream<Buffer> body, AsyncFile file, long maxBytes) {
    Promise<Copied> done = Promise.promise();
    MessageDigest md = sha256();
    long[] size = {0};
    body.exceptionHandler(done::tryFail);
    body.handler(chunk -> {
      if (done.future().isComplete()) {
        return; // over the limit already: drop the rest, the caller closes the connection
      }
      size[0] += chunk.length();
      if (size[0] > maxBytes) {
        done.tryFail(new ArtifactTooLarge(maxBytes));
        return;
      }
      md.update(chunk.getBytes());
      file.write(chunk).onFailure(done::tryFail);
      if (file.writeQueueFull()) {
        body.pause();
        file.drainHandler(v -> body.resume());
      }
    });
    body.endHandler(v -> done.tryComplete(new Copied(hex(md), size[0])));
    body.resume();
    return done.future();
  }

  /** Reads {@code in} to its end, handing each chunk to {@code sink}; blocking. */
  static Copied drain(InputStream in, ChunkSink sink) throws IOException {
    MessageDigest md = sha256();
    byte[] chunk = new byte[1 << 16];
    long size = 0;
    for (int n; (n = in.read(chunk)) > 0; ) {
      md.update(chunk, 0, n);
      sink.accept(chunk, n);
      size += n;
    }
    return new Copied(hex(md), size);
  }

  interface ChunkSink {
    void accept(byte[] chunk, int length) throws IOException;
  }

  static String sha256Hex(byte[] data) {
    return HexFormat.of().formatHex(sha256().digest(data));
  }

  static String hex(MessageDigest md) {
    return HexFormat.of().formatHex(md.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
