package dev.tracelet.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.ExperimentConfig;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.testkit.TestBackendContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local store (SQLite database, WAL, artifact files and the environment capture) holds what a
 * run logged and no secret: not one handed to the session in its settings, not one in system
 * properties while the run captures its environment and arguments. The raw bytes of every file
 * under the store are searched; the logged values are found there, so the search can find text.
 */
class SecretsDoNotLeakTest {
  private static final String SECRET = "local-secret-5e6f7a8b9c0d-do-not-leak";

  @TempDir Path temp;

  @Test
  void theStoreKeepsWhatWasLoggedAndNoSecret() throws IOException {
    Path store = temp.resolve("tracelet-runs");
    Path scratch = Files.createDirectories(temp.resolve("scratch"));
    Path weights = Files.writeString(temp.resolve("weights.bin"), "visible-artifact-content");
    Map<String, String> config = Map.of("dir", store.toString(), "api_token", SECRET);
    TestBackendContext context =
        TestBackendContext.builder(scratch)
            .config(config)
            .experimentConfig(
                ExperimentConfig.builder()
                    .trackGit(false)
                    .trackEnvironment(true)
                    .trackArgs(true)
                    .build())
            .build();
    List<String> properties = List.of("tracelet.mlflow.token", "db.password", "vault.dsn");
    properties.forEach(p -> System.setProperty(p, SECRET));
    try {
      BackendSession session = new LocalBackendPlugin().open(context);
      session.log(
          new EventBatch(
              List.of(new MetricEvent("visible_metric", 0.5, 0, 1_700_000_000_000L)),
              List.of(new ParamEvent("visible_param", "visible-param-value")),
              List.of(new TagEvent("visible_tag", "visible-tag-value"))));
      session.logArtifact(
          new TraceletArtifact("weights", ArtifactType.MODEL, null).addFile(weights, null, null));
      session.close(RunStatus.FINISHED);
    } finally {
      properties.forEach(System::clearProperty);
    }

    assertThat(context.config()).containsEntry("api_token", SECRET);
    String bytes = allBytes(store);
    assertThat(bytes)
        .contains("visible_metric")
        .contains("visible-param-value")
        .contains("visible-tag-value")
        .contains("visible-artifact-content")
        .contains("java_version") // environment.json of the capture
        .contains("jvm_args") // args.json of the capture
        .doesNotContain(SECRET);
  }

  /** Every byte of every file under {@code root}, as Latin-1 so any byte sequence survives. */
  private static String allBytes(Path root) throws IOException {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        b.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).append('\n');
      }
    }
    return b.toString();
  }
}
