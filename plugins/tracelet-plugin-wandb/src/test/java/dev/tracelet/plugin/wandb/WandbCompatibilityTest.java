package dev.tracelet.plugin.wandb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.plugin.wandb.stub.WandbStubServer;
import dev.tracelet.testkit.BackendCompatibilityKit;
import dev.tracelet.testkit.RunReadback;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The compatibility kit against the strict W&amp;B stub, reading back what the stub accepted. The
 * stub enforces W&amp;B's rules on every request (offsets, steps, auth, config form); its rate
 * limit is raised because the kit opens many short runs and the pacing has its own tests.
 */
class WandbCompatibilityTest extends BackendCompatibilityKit {
  private static WandbStubServer stub;

  @BeforeAll
  static void startStub() {
    stub = WandbStubServer.start(0, WandbStubServer.DEFAULT_API_KEY, 1_000);
  }

  @AfterAll
  static void stopStub() {
    stub.close();
  }

  private int rejectionsBefore;

  @BeforeEach
  void countRejections() {
    rejectionsBefore = stub.rejections().size();
  }

  /**
   * The kit checks what arrived; this checks that nothing the plugin sent was refused on the way.
   */
  @AfterEach
  void theStubRefusedNothing() {
    List<String> all = stub.rejections();
    assertThat(all.subList(rejectionsBefore, all.size()))
        .as("requests the strict stub refused")
        .isEmpty();
  }

  @Override
  protected BackendPlugin plugin() {
    return new WandbBackendPlugin();
  }

  @Override
  protected Map<String, String> config(Path scratchDir) {
    Map<String, String> c = StubSupport.config(stub);
    c.put("dir", scratchDir.resolve("wandb").toString());
    return c;
  }

  @Override
  protected RunReadback readback(String runId) {
    return new StubReadback(stub, runId);
  }

  @Override
  protected boolean resumesRuns() {
    return true;
  }
}
