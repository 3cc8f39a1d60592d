package dev.tracelet.plugin.clearml;

import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.plugin.clearml.stub.ClearmlStubReadback;
import dev.tracelet.plugin.clearml.stub.ClearmlStubServer;
import dev.tracelet.testkit.BackendCompatibilityKit;
import dev.tracelet.testkit.RunReadback;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The compatibility kit against the strict ClearML stub, read back from what the stub stored. */
class ClearmlBackendCompatibilityTest extends BackendCompatibilityKit {
  // One stub for the class: each check's run gets its own task, found again by its run id.
  private static ClearmlStubServer stub;

  @BeforeAll
  static void startStub() {
    stub = ClearmlStubServer.start();
  }

  @AfterAll
  static void stopStub() {
    stub.close();
  }

  @Override
  protected BackendPlugin plugin() {
    return new ClearmlBackendPlugin();
  }

  @Override
  protected Map<String, String> config(Path scratchDir) {
    return stub.config();
  }

  @Override
  protected RunReadback readback(String runId) {
    return new ClearmlStubReadback(stub, runId);
  }
}
