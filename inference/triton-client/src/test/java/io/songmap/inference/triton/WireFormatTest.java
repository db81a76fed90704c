package io.songmap.inference.triton;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.inference.triton.v2.ModelInferResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The bytes on the wire, built by hand from Triton's field numbers: a tag byte is
 * {@code field_number << 3 | wire_type}, wire type 2 for strings, bytes, messages and packed
 * repeated scalars, 0 for varints.
 */
class WireFormatTest {

  @Test
  void inferRequestEncodesToTritonsFieldNumbers() {
    InferRequest request = InferRequest.of("m", Tensor.fp32("x", new long[] {1, 2}, new float[] {1.0f, -2.0f}))
        .withId("7")
        .withPriority(1)
        .withOutputs("y");

    byte[] expected = concat(
        bytes(0x0A, 0x01), ascii("m"),                                  // 1 model_name "m"
        bytes(0x1A, 0x01), ascii("7"),                                  // 3 id "7"
        bytes(0x22, 0x0E),                                              // 4 parameters map entry, 14 bytes
        bytes(0x0A, 0x08), ascii("priority"),                           //   key = 1
        bytes(0x12, 0x02, 0x10, 0x01),                                  //   value = 2: InferParameter int64_param (2) = 1
        bytes(0x2A, 0x0D),                                              // 5 inputs, 13 bytes
        bytes(0x0A, 0x01), ascii("x"),                                  //   name = 1
        bytes(0x12, 0x04), ascii("FP32"),                               //   datatype = 2
        bytes(0x1A, 0x02, 0x01, 0x02),                                  //   shape = 3, packed [1, 2]
        bytes(0x32, 0x03, 0x0A, 0x01), ascii("y"),                      // 6 outputs: name = 1
        bytes(0x3A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0)); // 7 raw_input_contents: 1.0f, -2.0f LE

    assertThat(InferMessages.toProto(request).toByteArray()).isEqualTo(expected);
  }

  @Test
  void timeoutParameterTravelsAsMicroseconds() {
    InferRequest request = InferRequest.of("m", Tensor.int32("x", new long[] {1}, new int[] {5}))
        .withTimeout(java.time.Duration.ofMillis(2));

    byte[] encoded = InferMessages.toProto(request).toByteArray();

    byte[] expectedParameter = concat(
        bytes(0x22, 0x0E), bytes(0x0A, 0x07), ascii("timeout"),
        bytes(0x12, 0x03, 0x10, 0xD0, 0x0F));                           // int64_param = 2000 (varint D0 0F)
    assertThat(indexOf(encoded, expectedParameter)).isPositive();
  }

  @Test
  void inferResponseDecodesFromTritonsFieldNumbers() throws Exception {
    byte[] wire = concat(
        bytes(0x0A, 0x01), ascii("m"),                                  // 1 model_name
        bytes(0x12, 0x01), ascii("1"),                                  // 2 model_version
        bytes(0x2A, 0x0F),                                              // 5 outputs, 15 bytes
        bytes(0x0A, 0x01), ascii("y"),                                  //   name
        bytes(0x12, 0x05), ascii("INT64"),                              //   datatype
        bytes(0x1A, 0x03, 0x01, 0x02, 0x01),                            //   shape [1, 2, 1]
        bytes(0x32, 0x10,                                               // 6 raw_output_contents: 16 bytes
            0x03, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));

    InferResult result = InferMessages.fromProto(ModelInferResponse.parseFrom(wire));

    assertThat(result.model()).isEqualTo("m");
    assertThat(result.version()).isEqualTo("1");
    assertThat(result.output("y").shape()).containsExactly(1, 2, 1);
    assertThat(result.output("y").toLongArray()).containsExactly(3L, -1L);
  }

  @Test
  void bytesTensorsCarryLittleEndianLengthPrefixes() {
    Tensor t = Tensor.strings("s", new long[] {2}, java.util.List.of("ab", ""));

    byte[] raw = new byte[(int) t.byteSize()];
    t.littleEndianBytes().get(raw);

    assertThat(raw).isEqualTo(concat(bytes(0x02, 0, 0, 0), ascii("ab"), bytes(0, 0, 0, 0)));
    assertThat(t.toStrings()).containsExactly("ab", "");
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
