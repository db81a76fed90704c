package io.songmap.inference.triton;

import com.google.protobuf.ByteString;
import io.songmap.inference.triton.v2.InferTensorContents;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns typed {@code contents} into raw little-endian bytes. Songmap never sends typed contents,
 * but other KServe clients may, and the protocol allows it for every type but FP16/BF16.
 */
public final class TypedContents {
  private TypedContents() {}

  public static boolean isEmpty(InferTensorContents c) {
    return c.getBoolContentsCount() == 0 && c.getIntContentsCount() == 0 && c.getInt64ContentsCount() == 0
        && c.getUintContentsCount() == 0 && c.getUint64ContentsCount() == 0 && c.getFp32ContentsCount() == 0
        && c.getFp64ContentsCount() == 0 && c.getBytesContentsCount() == 0;
  }

  public static ByteBuffer toRaw(Datatype type, InferTensorContents c) {
    ByteBuffer out;
    switch (type) {
      case BOOL -> {
        out = allocate(c.getBoolContentsCount());
        c.getBoolContentsList().forEach(b -> out.put((byte) (b ? 1 : 0)));
      }
      case INT8 -> {
        out = allocate(c.getIntContentsCount());
        c.getIntContentsList().forEach(v -> out.put(v.byteValue()));
      }
      case INT16 -> {
        out = allocate(c.getIntContentsCount() * 2);
        c.getIntContentsList().forEach(v -> out.putShort(v.shortValue()));
      }
      case INT32 -> {
        out = allocate(c.getIntContentsCount() * 4);
        c.getIntContentsList().forEach(out::putInt);
      }
      case INT64 -> {
        out = allocate(c.getInt64ContentsCount() * 8);
        c.getInt64ContentsList().forEach(out::putLong);
      }
      case UINT8 -> {
        out = allocate(c.getUintContentsCount());
        c.getUintContentsList().forEach(v -> out.put(v.byteValue()));
      }
      case UINT16 -> {
        out = allocate(c.getUintContentsCount() * 2);
        c.getUintContentsList().forEach(v -> out.putShort(v.shortValue()));
      }
      case UINT32 -> {
        out = allocate(c.getUintContentsCount() * 4);
        c.getUintContentsList().forEach(out::putInt);
      }
      case UINT64 -> {
        out = allocate(c.getUint64ContentsCount() * 8);
        c.getUint64ContentsList().forEach(out::putLong);
      }
      case FP32 -> {
        out = allocate(c.getFp32ContentsCount() * 4);
        c.getFp32ContentsList().forEach(out::putFloat);
      }
      case FP64 -> {
        out = allocate(c.getFp64ContentsCount() * 8);
        c.getFp64ContentsList().forEach(out::putDouble);
      }
      case BYTES -> {
        int total = 0;
        for (ByteString b : c.getBytesContentsList()) {
          total += 4 + b.size();
        }
        out = allocate(total);
        for (ByteString b : c.getBytesContentsList()) {
          out.putInt(b.size());
          b.copyTo(out);
        }
      }
      case FP16, BF16 -> throw new IllegalArgumentException(type + " tensors must be sent as raw contents");
      default -> throw new IllegalArgumentException("unsupported datatype " + type);
    }
    out.flip();
    return out;
  }

  private static ByteBuffer allocate(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }
}
