package io.songmap.inference.cpu.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.songmap.inference.cpu.CpuModel;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class CpuModelsTest {

  @Test
  void defaultsAndTheServiceLoaderHostTheSameModels() throws Exception {
    List<CpuModel> defaults = CpuModels.defaults();
    List<CpuModel> loaded = ServiceLoader.load(CpuModel.class).stream().map(ServiceLoader.Provider::get).toList();
    try {
      assertThat(defaults).extracting(CpuModel::name).containsExactlyInAnyOrderElementsOf(loaded.stream().map(CpuModel::name).toList());
      assertThat(defaults).extracting(CpuModel::name).doesNotHaveDuplicates();
      for (CpuModel m : defaults) {
        if (!m.name().equals(WhisperModel.NAME)) {
          assertThat(m.notReadyReason()).as(m.name()).isEmpty();
        }
      }
    } finally {
      for (CpuModel m : defaults) {
        m.close();
      }
      for (CpuModel m : loaded) {
        m.close();
      }
    }
  }
}
