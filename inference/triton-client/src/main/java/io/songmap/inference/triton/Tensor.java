package io.songmap.inference.triton;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A named tensor with its raw contents exactly as they travel in {@code raw_input_contents} and
 * {@code raw_output_contents}: flattened row-major, little-endian, BYTES elements each preceded by
 * a 4-byte little-endian length. The buffer is shared, not copied: a tensor received from the
 * server is a read-only view of the response message.
 */
public record Tensor(String name, Datatype datatype, long[] shape, ByteBuffer data) {

  public Tensor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(datatype, "datatype");
    shape = shape.clone();
    data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    long elements = Shapes.elementCount(shape);
    if (datatype.fixedSize()) {
      long expected = elements * datatype.elementBytes();
      if (data.remaining() != expected) {
        throw new IllegalArgumentException("tensor '" + name + "' " + datatype + " " + Shapes.format(shape)
            + " needs " + expected + " bytes, got " + data.remaining());
      }
    } else {
      long counted = countBytesElements(data);
      if (counted != elements) {
        throw new IllegalArgumentException("tensor '" + name + "' BYTES " + Shapes.format(shape)
            + " needs " + elements + " elements, contents hold " + counted);
      }
    }
  }

  /** An FP32 tensor; copies {@code values} into a little-endian buffer. */
  public static Tensor fp32(String name, long[] shape, float[] values) {
    ByteBuffer buf = allocate(values.length * 4L);
    buf.asFloatBuffer().put(values);
    return new Tensor(name, Datatype.FP32, shape, buf);
  }

  /** An FP32 tensor over little-endian bytes the caller already holds; not copied. */
  public static Tensor fp32(String name, long[] shape, ByteBuffer littleEndianFloats) {
    return new Tensor(name, Datatype.FP32, shape, littleEndianFloats);
  }

  /** An FP16 tensor; each float is rounded to the nearest half-precision value. */
  public static Tensor fp16(String name, long[] shape, float[] values) {
    ByteBuffer buf = allocate(values.length * 2L);
    for (float v : values) {
      buf.putShort(Half.fromFloat(v));
    }
    buf.flip();
    return new Tensor(name, Datatype.FP16, shape, buf);
  }

  public static Tensor int32(String name, long[] shape, int[] values) {
    ByteBuffer buf = allocate(values.length * 4L);
    buf.asIntBuffer().put(values);
    return new Tensor(name, Datatype.INT32, shape, buf);
  }

  public static Tensor int64(String name, long[] shape, long[] values) {
    ByteBuffer buf = allocate(values.length * 8L);
    buf.asLongBuffer().put(values);
    return new Tensor(name, Datatype.INT64, shape, buf);
  }

  /** A BYTES tensor of the given elements, each written with its 4-byte little-endian length. */
  public static Tensor bytes(String name, long[] shape, List<byte[]> elements) {
    long total = 0;
    for (byte[] e : elements) {
      total += 4 + e.length;
    }
    ByteBuffer buf = allocate(total);
    for (byte[] e : elements) {
      buf.putInt(e.length).put(e);
    }
    buf.flip();
    return new Tensor(name, Datatype.BYTES, shape, buf);
  }

  /** A BYTES tensor of UTF-8 strings. */
  public static Tensor strings(String name, long[] shape, List<String> elements) {
    List<byte[]> raw = new ArrayList<>(elements.size());
    for (String s : elements) {
      raw.add(s.getBytes(StandardCharsets.UTF_8));
    }
    return bytes(name, shape, raw);
  }

  public long elementCount() {
    return Shapes.elementCount(shape);
  }

  public long byteSize() {
    return data.remaining();
  }

  /** The contents as a read-only little-endian view, positioned at the first byte. */
  public ByteBuffer littleEndianBytes() {
    return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A view of the FP32 contents; no copy. */
  public FloatBuffer floats() {
    require(Datatype.FP32);
    return littleEndianBytes().asFloatBuffer();
  }

  /** FP32 contents copied into an array; FP16 contents widened to floats. */
  public float[] toFloatArray() {
    if (datatype == Datatype.FP16) {
      ByteBuffer b = littleEndianBytes();
      float[] out = new float[b.remaining() / 2];
      for (int i = 0; i < out.length; i++) {
        out[i] = Half.toFloat(b.getShort());
      }
      return out;
    }
    FloatBuffer f = floats();
    float[] out = new float[f.remaining()];
    f.get(out);
    return out;
  }

  public int[] toIntArray() {
    require(Datatype.INT32);
    IntBuffer b = littleEndianBytes().asIntBuffer();
    int[] out = new int[b.remaining()];
    b.get(out);
    return out;
  }

  public long[] toLongArray() {
    require(Datatype.INT64);
    LongBuffer b = littleEndianBytes().asLongBuffer();
    long[] out = new long[b.remaining()];
    b.get(out);
    return out;
  }

  /** The elements of a BYTES tensor. */
  public List<byte[]> toByteElements() {
    require(Datatype.BYTES);
    ByteBuffer b = littleEndianBytes();
    List<byte[]> out = new ArrayList<>();
    while (b.hasRemaining()) {
      byte[] e = new byte[b.getInt()];
      b.get(e);
      out.add(e);
    }
    return out;
  }

  public List<String> toStrings() {
    List<String> out = new ArrayList<>();
    for (byte[] e : toByteElements()) {
      out.add(new String(e, StandardCharsets.UTF_8));
    }
    return out;
  }

  private void require(Datatype expected) {
    if (datatype != expected) {
      throw new IllegalStateException("tensor '" + name + "' is " + datatype + ", not " + expected);
    }
  }

  /** Counts the elements of BYTES contents, checking that every length prefix fits. */
  public static long countBytesElements(ByteBuffer contents) {
    ByteBuffer b = contents.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    long n = 0;
    while (b.hasRemaining()) {
      if (b.remaining() < 4) {
        throw new IllegalArgumentException("BYTES contents end inside a length prefix");
      }
      int len = b.getInt();
      if (len < 0 || len > b.remaining()) {
        throw new IllegalArgumentException("BYTES element " + n + " claims " + len + " bytes, " + b.remaining() + " remain");
      }
      b.position(b.position() + len);
      n++;
    }
    return n;
  }

  private static ByteBuffer allocate(long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor of " + bytes + " bytes exceeds one buffer");
    }
    return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tensor t && name.equals(t.name) && datatype == t.datatype
        && Arrays.equals(shape, t.shape) && data.equals(t.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, datatype, Arrays.hashCode(shape), data);
  }

  @Override
  public String toString() {
    return "Tensor[" + name + " " + datatype + " " + Shapes.format(shape) + ", " + data.remaining() + " bytes]";
  }
}
