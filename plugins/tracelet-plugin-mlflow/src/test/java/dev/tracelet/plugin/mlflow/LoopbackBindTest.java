package dev.tracelet.plugin.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.testkit.security.LoopbackProbe;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The MLflow servers tests talk to listen on the loopback interface only, so a CI machine's
 * neighbours cannot reach them: the real server that {@code .ci/mlflow-server.sh} starts (checked
 * in the script, since starting it needs a Python environment) and the WireMock stub.
 */
class LoopbackBindTest {
  /** The script, seen from this module's directory (surefire's working directory). */
  private static final Path SCRIPT = Path.of("..", "..", ".ci", "mlflow-server.sh");

  @Test
  void theCiScriptStartsMlflowOnLoopback() throws IOException {
    assertThat(SCRIPT).isRegularFile();
    String script = Files.readString(SCRIPT);

    assertThat(script)
        .contains("mlflow\" server")
        .contains("--host 127.0.0.1 --port")
        .contains("uri=\"http://127.0.0.1:$port\"")
        .contains("s.bind((\"127.0.0.1\", 0))")
        .doesNotContain("0.0.0.0")
        .doesNotContain("--host 0")
        .doesNotContain("--host \"$");
  }

  @Test
  void theStubListensOnLoopbackOnly() throws IOException {
    StrictMlflowStub stub = new StrictMlflowStub();
    try {
      URI url = URI.create(stub.uri());
      assertThat(url.getHost()).isEqualTo("127.0.0.1");
      LoopbackProbe.assertLoopbackOnly(url.getPort());
    } finally {
      stub.shutdown();
    }
  }
}
