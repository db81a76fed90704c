package io.songmap.inference.triton;

/** KServe v2 tensor datatypes, by the names that travel in {@code datatype} fields. */
public enum Datatype {
  BOOL(1),
  UINT8(1),
  UINT16(2),
  UINT32(4),
  UINT64(8),
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FP16(2),
  FP32(4),
  FP64(8),
  BF16(2),
  /** Variable-length elements, each a 4-byte little-endian length followed by that many bytes. */
  BYTES(-1);

  private final int elementBytes;

  Datatype(int elementBytes) {
    this.elementBytes = elementBytes;
  }

  /** Bytes per element; -1 for {@link #BYTES}, whose elements vary in length. */
  public int elementBytes() {
    return elementBytes;
  }

  public boolean fixedSize() {
    return elementBytes > 0;
  }

  /** Parses a protocol datatype name; the message names the unknown value. */
  public static Datatype parse(String name) {
    try {
      return valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown tensor datatype '" + name + "'", e);
    }
  }

  /** The Triton model configuration enum name ({@code TYPE_FP32}; {@code TYPE_STRING} for BYTES). */
  public String configName() {
    return this == BYTES ? "TYPE_STRING" : "TYPE_" + name();
  }

  /** Inverse of {@link #configName()}. */
  public static Datatype fromConfigName(String configName) {
    if ("TYPE_STRING".equals(configName)) {
      return BYTES;
    }
    if (!configName.startsWith("TYPE_")) {
      throw new IllegalArgumentException("unknown model config datatype '" + configName + "'");
    }
    return parse(configName.substring("TYPE_".length()));
  }
}
