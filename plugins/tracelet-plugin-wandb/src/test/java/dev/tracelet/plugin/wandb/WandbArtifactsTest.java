package dev.tracelet.plugin.wandb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.plugin.wandb.stub.StubArtifact;
import dev.tracelet.plugin.wandb.stub.StubRun;
import dev.tracelet.plugin.wandb.stub.WandbStubServer;
import dev.tracelet.testkit.TestBackendContext;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WandbArtifactsTest {
  private static WandbStubServer stub;

  @TempDir Path tmp;
  private BackendSession session;
  private TestBackendContext ctx;

  @BeforeAll
  static void startStub() {
    stub = WandbStubServer.start(0, WandbStubServer.DEFAULT_API_KEY, 0);
  }

  @AfterAll
  static void stopStub() {
    stub.close();
  }

  @BeforeEach
  void open() {
    stub.reset();
    ctx = StubSupport.context(tmp, StubSupport.config(stub)).build();
    session = new WandbBackendPlugin().open(ctx);
  }

  private Path file(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content, StandardCharsets.UTF_8);
  }

  @Test
  void anArtifactIsCreatedUploadedWithItsManifestAndCommitted() throws IOException {
    TraceletArtifact model =
        new TraceletArtifact("my model", ArtifactType.MODEL, "weights")
            .addFile(file("w.bin", "weights-v1"), "weights/w.bin", null)
            .addFile(file("cfg.json", "{\"layers\":3}"), "config.json", null)
            .addReference(URI.create("s3://bucket/data/train.csv"), 1234L, null)
            .putMetadata("framework", "djl");

    ArtifactResult result = session.logArtifact(model);
    session.close(RunStatus.FINISHED);

    assertThat(result.backend()).isEqualTo("wandb");
    assertThat(result.version()).isEqualTo("v0");
    assertThat(result.uri())
        .isEqualTo("wandb-artifact://" + WandbStubServer.DEFAULT_ENTITY + "/default/my-model:v0");
    StubRun run = StubSupport.run(stub, ctx.runId());
    StubArtifact stored = run.artifact("my-model").orElseThrow();
    assertThat(stored.type()).isEqualTo("model");
    assertThat(new String(stored.file("weights/w.bin").orElseThrow(), StandardCharsets.UTF_8))
        .isEqualTo("weights-v1");
    assertThat(stored.references()).containsEntry("train.csv", "s3://bucket/data/train.csv");
    assertThat(stub.rejections())
        .as("no upload carried the API key; every digest matched")
        .isEmpty();
  }

  @Test
  void filesTheServerAlreadyHasAreNotUploadedAgain() throws IOException {
    Path shared = file("shared.bin", "same bytes in both artifacts");
    session.logArtifact(
        new TraceletArtifact("first", ArtifactType.DATASET, null).addFile(shared, "a.bin", null));
    assertThat(stub.fileUploads()).isEqualTo(1);

    ArtifactResult second =
        session.logArtifact(
            new TraceletArtifact("second", ArtifactType.DATASET, null)
                .addFile(shared, "copy-of-a.bin", null)
                .addFile(file("new.bin", "new bytes"), "b.bin", null));
    session.close(RunStatus.FINISHED);

    assertThat(stub.fileUploads()).as("only the new file's bytes went up").isEqualTo(2);
    assertThat(second.metadata())
        .containsEntry("uploaded_files", 1)
        .containsEntry("reused_files", 1);
    StubArtifact stored = StubSupport.run(stub, ctx.runId()).artifact("second").orElseThrow();
    assertThat(stored.files()).containsOnlyKeys("copy-of-a.bin", "b.bin");
  }

  @Test
  void anArtifactWithContentTheServerHasMakesNoNewVersion() throws IOException {
    Path f = file("x.txt", "x");
    ArtifactResult first =
        session.logArtifact(
            new TraceletArtifact("same", ArtifactType.CONFIG, null).addFile(f, null, null));
    int requests = stub.requests().size();
    ArtifactResult again =
        session.logArtifact(
            new TraceletArtifact("same", ArtifactType.CONFIG, null).addFile(f, null, null));
    session.close(RunStatus.FINISHED);

    assertThat(again.version()).isEqualTo(first.version()).isEqualTo("v0");
    // Only CreateArtifact: no manifest, no files, no commit.
    assertThat(stub.requests().subList(requests, requests + 1))
        .allMatch(r -> r.body().contains("\"operationName\":\"CreateArtifact\""));
    assertThat(stub.requests().get(requests + 1).path()).endsWith("/file_stream");
  }

  @Test
  void aFileThatChangedSinceItWasAddedIsRefused() throws IOException {
    Path f = file("grows.log", "short");
    TraceletArtifact artifact =
        new TraceletArtifact("log", ArtifactType.REPORT, null).addFile(f, null, null);
    Files.writeString(f, "much longer now", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> session.logArtifact(artifact))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("changed since it was added");
    session.close(RunStatus.FINISHED);
  }
}
