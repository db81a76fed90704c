package io.songmap.inference.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.TextFormat;
import io.songmap.inference.cpu.models.CpuModels;
import io.songmap.inference.triton.Datatype;
import io.songmap.inference.triton.v2.ModelConfig;
import io.songmap.inference.triton.v2.ModelInstanceGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each model the CPU server hosts has a {@code config.pbtxt} in the Triton repository with the same
 * name, max batch size and tensors, so that processors cannot tell the two servers apart.
 */
class TritonRepositoryConformanceTest {
  private static final Path REPOSITORY = Path.of("..", "triton-models");

  static ModelConfig read(Path file) throws Exception {
    ModelConfig.Builder b = ModelConfig.newBuilder();
    // Our ModelConfig is Triton's reduced to the fields we read; skip the rest (version_policy, ...).
    TextFormat.Parser.newBuilder().setAllowUnknownFields(true).build().merge(Files.readString(file), b);
    return b.build();
  }

  @TestFactory
  List<DynamicTest> everyHostedModelMatchesItsTritonConfig() {
    return CpuModels.defaults().stream().map(m -> DynamicTest.dynamicTest(m.name(), () -> {
      ModelConfig c = read(REPOSITORY.resolve(m.name()).resolve("config.pbtxt"));
      assertThat(c.getName()).isEqualTo(m.name());
      assertThat(c.getMaxBatchSize()).as("max_batch_size").isEqualTo(m.maxBatchSize());
      assertThat(c.getInputList()).hasSameSizeAs(m.inputs());
      for (CpuModel.TensorSpec s : m.inputs()) {
        var in = c.getInputList().stream().filter(i -> i.getName().equals(s.name())).findFirst();
        assertThat(in).as("input " + s.name()).isPresent();
        assertThat(in.get().getDataType().name()).isEqualTo(Datatype.parse(s.datatype()).configName());
        assertThat(in.get().getDimsList()).containsExactlyElementsOf(java.util.Arrays.stream(s.dims()).boxed().toList());
      }
      assertThat(c.getOutputList()).hasSameSizeAs(m.outputs());
      for (CpuModel.TensorSpec s : m.outputs()) {
        var out = c.getOutputList().stream().filter(o -> o.getName().equals(s.name())).findFirst();
        assertThat(out).as("output " + s.name()).isPresent();
        assertThat(out.get().getDataType().name()).isEqualTo(Datatype.parse(s.datatype()).configName());
        assertThat(out.get().getDimsList()).containsExactlyElementsOf(java.util.Arrays.stream(s.dims()).boxed().toList());
      }
      assertThat(c.getInstanceGroupList()).extracting(ModelInstanceGroup::getKind).containsOnly(ModelInstanceGroup.Kind.KIND_GPU);
      assertThat(c.hasDynamicBatching()).isTrue();
      m.close();
    })).toList();
  }

  @TestFactory
  List<DynamicTest> everyConfigParses() throws Exception {
    try (var dirs = Files.list(REPOSITORY)) {
      return dirs.filter(d -> Files.exists(d.resolve("config.pbtxt")))
          .map(d -> DynamicTest.dynamicTest(d.getFileName().toString(), () ->
              assertThat(read(d.resolve("config.pbtxt")).getName()).isEqualTo(d.getFileName().toString())))
          .toList();
    }
  }
}
