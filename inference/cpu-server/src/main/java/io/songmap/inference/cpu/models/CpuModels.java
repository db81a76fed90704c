package io.songmap.inference.cpu.models;

import io.songmap.inference.cpu.CpuModel;
import java.util.List;

/**
 * The models the CPU server hosts by default, under the names and tensor contracts of the Triton
 * model repository ({@code inference/triton-models}). The same classes are listed in
 * {@code META-INF/services/io.songmap.inference.cpu.CpuModel} for {@link java.util.ServiceLoader}.
 */
public final class CpuModels {

  private CpuModels() {}

  /** Every model, each computing single-threaded inside one call (the server parallelises calls). */
  public static List<CpuModel> defaults() {
    return defaults(1);
  }

  /** Every model; {@code intraOpThreads} threads may work on one ONNX Runtime call. */
  public static List<CpuModel> defaults(int intraOpThreads) {
    return List.of(
        new HtdemucsDspModel(),
        new DrumCnnModel(intraOpThreads),
        new BasicPitchModel(intraOpThreads),
        new WhisperModel());
  }
}
