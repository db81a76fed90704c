package io.songmap.inference.cpu.models;

import java.util.List;

/**
 * {@code drum_cnn}: the AnNOTEator drum-hit CNN (MIT), converted from its Keras weights by
 * {@code triton-models/drum_cnn/export_onnx.py}. Input {@code conv2d_input} FP32 [B,128,18,1], the
 * power mel spectrogram of a clip around one onset; output {@code dense_2} FP32 [B,6], independent
 * sigmoids in the order SD, HH, KD, RC, TT, CC.
 */
public final class DrumCnnModel extends OnnxCpuModel {

  public static final String NAME = "drum_cnn";
  public static final String INPUT = "conv2d_input";
  public static final String OUTPUT = "dense_2";
  public static final int MAX_BATCH_SIZE = 64;

  public DrumCnnModel() {
    this(1);
  }

  public DrumCnnModel(int intraOpThreads) {
    super(NAME, "1", MAX_BATCH_SIZE,
        List.of(Tensors.fp32(INPUT, 128, 18, 1)),
        List.of(Tensors.fp32(OUTPUT, 6)),
        intraOpThreads);
  }
}
