package io.songmap.inference.cpu.models;

import io.songmap.inference.cpu.CpuModel;
import io.songmap.inference.cpu.HostTensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code whisper}: the ASR contract, declared so that clients see the same metadata as on Triton,
 * and always NOT READY here. Input {@code audio} FP32 [B,-1]: 16 kHz mono, at most 30 s. Output
 * {@code text} BYTES [B,1]: one UTF-8 JSON document per item,
 * {@code {"text": "...", "words": [{"start": s, "end": s, "text": "..."}]}} with times in seconds
 * from the start of the window.
 */
public final class WhisperModel implements CpuModel {

  public static final String NAME = "whisper";
  public static final String INPUT = "audio";
  public static final String OUTPUT = "text";
  public static final int MAX_SAMPLES = 30 * 16_000;
  static final String REASON = "ASR needs the Whisper model, which runs on Triton (GPU); the CPU inference server "
      + "has no speech recognition model, so it reports whisper NOT READY instead of inventing lyrics";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public int maxBatchSize() {
    return 8;
  }

  @Override
  public List<TensorSpec> inputs() {
    return List.of(Tensors.fp32(INPUT, -1));
  }

  @Override
  public List<TensorSpec> outputs() {
    return List.of(new TensorSpec(OUTPUT, "BYTES", new long[] {1}));
  }

  @Override
  public Optional<String> notReadyReason() {
    return Optional.of(REASON);
  }

  @Override
  public Map<String, HostTensor> infer(Map<String, HostTensor> inputs) {
    throw new IllegalStateException("whisper is not ready: " + REASON);
  }
}
