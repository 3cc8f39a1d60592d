package dev.tracelet.api.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.ArtifactNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceletArtifactTest {
  @TempDir Path dir;

  @Test
  void filesAreFingerprintedWhenAdded() throws IOException {
    Path f = Files.writeString(dir.resolve("w.bin"), "abc");
    TraceletArtifact a =
        new TraceletArtifact("model", ArtifactType.MODEL, "d").addFile(f, "weights/w.bin", null);
    ArtifactFile file = a.files().get(0);
    assertThat(file.sizeBytes()).isEqualTo(3);
    // SHA-256("abc")
    assertThat(file.checksum())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(file.artifactPath()).isEqualTo("weights/w.bin");
    assertThat(a.sizeBytes()).isEqualTo(3);
  }

  @Test
  void aMissingFileFailsAtTheCallNamingIt() {
    Path missing = dir.resolve("nope.onnx");
    assertThatThrownBy(
            () -> new TraceletArtifact("m", ArtifactType.MODEL, null).addFile(missing, null, null))
        .isInstanceOf(ArtifactNotFoundException.class)
        .hasMessageContaining("nope.onnx");
  }

  @Test
  void aDirectoryIsNotAFile() {
    assertThatThrownBy(
            () -> new TraceletArtifact("m", ArtifactType.MODEL, null).addFile(dir, "x", null))
        .isInstanceOf(ArtifactNotFoundException.class)
        .hasMessageContaining("regular file");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"../evil", "a/../../b", "/etc/passwd", "a//b", ".", "x\u0000y", "a\\..\\b"})
  void pathsThatCouldEscapeAreRefused(String path) throws IOException {
    Path f = Files.writeString(dir.resolve("f"), "x");
    assertThatThrownBy(
            () -> new TraceletArtifact("m", ArtifactType.CUSTOM, null).addFile(f, path, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("safe relative path");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "a/b", "", ".."})
  void artifactNamesAreOneSafeSegment(String name) {
    assertThatThrownBy(() -> new TraceletArtifact(name, ArtifactType.CUSTOM, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void twoEntriesAtOnePathAreRefusedInsteadOfOverwriting() throws IOException {
    Path f = Files.writeString(dir.resolve("f.txt"), "x");
    TraceletArtifact a =
        new TraceletArtifact("m", ArtifactType.CUSTOM, null).addFile(f, "f.txt", null);
    assertThatThrownBy(() -> a.addFile(f, "f.txt", null))
        .hasMessageContaining("already has an entry");
    assertThatThrownBy(() -> a.addObject("o", "f.txt", "json", null))
        .hasMessageContaining("already has an entry");
  }

  @Test
  void unknownSerializerIsNamed() {
    assertThatThrownBy(
            () ->
                new TraceletArtifact("m", ArtifactType.CUSTOM, null)
                    .addObject(1, "o", "pickle", null))
        .hasMessageContaining("pickle")
        .hasMessageContaining("json, yaml, java");
  }

  @Test
  void modelsOnlyGoIntoModelLikeArtifacts() {
    assertThatThrownBy(
            () ->
                new TraceletArtifact("m", ArtifactType.IMAGE, null)
                    .addModel(new int[] {1}, null, null, null))
        .isInstanceOf(IllegalStateException.class);
    TraceletArtifact a =
        new TraceletArtifact("m", ArtifactType.MODEL, null)
            .addModel(new java.util.ArrayList<>(java.util.List.of(1.0)), "java", "x", null);
    assertThat(a.objects()).extracting(ArtifactObject::name).containsExactly("model.ser");
    assertThat(a.metadata()).containsEntry("framework", "java").containsEntry("input_example", "x");
  }

  @Test
  void referencesCountTowardsTheSizeWhenKnown() {
    TraceletArtifact a =
        new TraceletArtifact("d", ArtifactType.DATASET, null)
            .addReference(URI.create("s3://bucket/a"), 10L, null)
            .addReference(URI.create("s3://bucket/b"), null, null);
    assertThat(a.sizeBytes()).isEqualTo(10);
    assertThat(a.toMap()).containsKey("references");
  }

  @Test
  void typesMapToTheSeedsValues() {
    assertThat(ArtifactType.values()).hasSize(13);
    assertThat(ArtifactType.VISUALIZATION.value()).isEqualTo("viz");
    assertThat(ArtifactType.fromValue("viz")).isEqualTo(ArtifactType.VISUALIZATION);
    assertThat(ArtifactType.inferFromFileName("model.ONNX")).isEqualTo(ArtifactType.MODEL);
    assertThat(ArtifactType.inferFromFileName("README")).isEqualTo(ArtifactType.CUSTOM);
    assertThatThrownBy(() -> ArtifactType.fromValue("nope")).hasMessageContaining("MODEL");
  }
}
