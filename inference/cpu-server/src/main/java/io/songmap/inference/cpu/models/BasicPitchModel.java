package io.songmap.inference.cpu.models;

import java.util.List;

/**
 * {@code basic_pitch}: Spotify's Basic Pitch note model (Apache-2.0), the published {@code nmp.onnx}
 * unchanged, so the tensor names are tf2onnx's. Input FP32 [B,43844,1]: 2 s windows of 22,050 Hz mono
 * audio. Outputs at 86 frames/s, pitch index 0 = MIDI 21: note [B,172,88], onset [B,172,88] and
 * contour [B,172,264] (3 bins per semitone from 27.5 Hz).
 */
public final class BasicPitchModel extends OnnxCpuModel {

  public static final String NAME = "basic_pitch";
  public static final String INPUT = "serving_default_input_2:0";
  public static final String NOTE = "StatefulPartitionedCall:1";
  public static final String ONSET = "StatefulPartitionedCall:2";
  public static final String CONTOUR = "StatefulPartitionedCall:0";
  public static final int MAX_BATCH_SIZE = 16;

  public BasicPitchModel() {
    this(1);
  }

  public BasicPitchModel(int intraOpThreads) {
    super(NAME, "1", MAX_BATCH_SIZE,
        List.of(Tensors.fp32(INPUT, 43844, 1)),
        List.of(Tensors.fp32(NOTE, 172, 88), Tensors.fp32(ONSET, 172, 88), Tensors.fp32(CONTOUR, 172, 264)),
        intraOpThreads);
  }
}
