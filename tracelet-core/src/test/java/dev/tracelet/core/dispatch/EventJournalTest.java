package dev.tracelet.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventJournalTest {
  @TempDir Path dir;

  private static EventBatch batch(int from, int n) {
    List<MetricEvent> m = new java.util.ArrayList<>();
    for (int i = from; i < from + n; i++) {
      m.add(new MetricEvent("loss", i * 0.5, i, 1_700_000_000_000L + i));
    }
    return new EventBatch(m, List.of(), List.of());
  }

  @Test
  void everyKindOfEventSurvivesTheRoundTripExactly() throws IOException {
    EventBatch b =
        new EventBatch(
            List.of(
                new MetricEvent("a/b", Double.NaN, 0, 1),
                new MetricEvent("c", Double.NEGATIVE_INFINITY, -1, 2)),
            List.of(
                new ParamEvent("lr", 0.01),
                new ParamEvent("layers", 3L),
                new ParamEvent("flag", true),
                new ParamEvent("name", "résumé"),
                new ParamEvent("sizes", List.of(1L, 2L)),
                new ParamEvent("nested", Map.of("k", List.of("v")))),
            List.of(new TagEvent("team", "vision")));
    assertThat(EventJournal.decode(EventJournal.encode(b))).isEqualTo(b);
  }

  @Test
  void appendedBatchesReplayInOrderAcrossReopening() throws IOException {
    try (EventJournal j = EventJournal.open(dir, "run1", "mlflow")) {
      j.append(batch(0, 10));
      j.append(batch(10, 10));
      assertThat(j.pendingEvents()).isEqualTo(20);
      assertThat(j.peek()).isEqualTo(new EventJournal.Events(batch(0, 10)));
      j.commit();
    }
    try (EventJournal j = EventJournal.open(dir, "run1", "mlflow")) {
      assertThat(j.pendingEvents()).isEqualTo(10);
      assertThat(j.peek()).isEqualTo(new EventJournal.Events(batch(10, 10)));
      j.commit();
      assertThat(j.hasPending()).isFalse();
    }
    assertThat(dir.resolve("run1")).doesNotExist();
  }

  @Test
  void aTornTailIsCutAndEverythingBeforeItKept() throws IOException {
    Path file;
    try (EventJournal j = EventJournal.open(dir, "run2", "wandb")) {
      j.append(batch(0, 5));
      j.append(batch(5, 5));
      file = j.file();
    }
    long size = Files.size(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size - 3); // the process died in the middle of the second record
    }
    try (EventJournal j = EventJournal.open(dir, "run2", "wandb")) {
      assertThat(j.pendingEvents()).isEqualTo(5);
      assertThat(j.peek()).isEqualTo(new EventJournal.Events(batch(0, 5)));
      j.commit();
      assertThat(j.hasPending()).isFalse();
      j.append(batch(100, 1));
      assertThat(j.peek()).isEqualTo(new EventJournal.Events(batch(100, 1)));
    }
  }

  @Test
  void aCorruptRecordIsDetectedByItsChecksum() throws IOException {
    Path file;
    try (EventJournal j = EventJournal.open(dir, "run3", "local")) {
      j.append(batch(0, 5));
      j.append(batch(5, 5));
      file = j.file();
    }
    long size = Files.size(file);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(size - 10);
      f.write(0x5A ^ f.read());
    }
    try (EventJournal j = EventJournal.open(dir, "run3", "local")) {
      assertThat(j.pendingEvents()).isEqualTo(5);
    }
  }

  @Test
  void aFileThatIsNotAJournalIsRefused() throws IOException {
    Path f = Files.createDirectories(dir.resolve("run4")).resolve("x.journal");
    Files.writeString(f, "hello world, not a journal");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> EventJournal.open(dir, "run4", "x"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a Tracelet journal");
  }

  @Test
  void anArtifactKeepsACopyOfItsFilesUntilItIsDelivered() throws IOException {
    Path original = Files.writeString(dir.resolve("model.bin"), "weights-v1");
    TraceletArtifact artifact =
        new TraceletArtifact("model", ArtifactType.MODEL, "the model")
            .addFile(original, "nested/model.bin", "weights")
            .addReference(java.net.URI.create("s3://bucket/data.csv"), 42L, null)
            .putMetadata("framework", "none")
            .putMetadata("layers", List.of(1, 2));
    Path copyDir;
    try (EventJournal j = EventJournal.open(dir, "run5", "mlflow")) {
      j.append(batch(0, 3));
      j.appendArtifact(artifact);
      j.append(batch(3, 3));
      assertThat(j.pendingEvents()).isEqualTo(7); // an artifact counts as one
    }
    // The caller's file may be gone long before the backend is back.
    Files.delete(original);
    try (EventJournal j = EventJournal.open(dir, "run5", "mlflow")) {
      assertThat(j.peek()).isEqualTo(new EventJournal.Events(batch(0, 3)));
      j.commit();
      EventJournal.Entry e = j.peek();
      assertThat(e).isInstanceOf(EventJournal.Artifact.class);
      TraceletArtifact back = ((EventJournal.Artifact) e).artifact();
      assertThat(back.name()).isEqualTo("model");
      assertThat(back.type()).isEqualTo(ArtifactType.MODEL);
      assertThat(back.description()).isEqualTo("the model");
      assertThat(back.createdAt()).isEqualTo(artifact.createdAt());
      assertThat(back.references()).isEqualTo(artifact.references());
      assertThat(back.metadata()).containsEntry("framework", "none");
      assertThat(back.files()).hasSize(1);
      var f = back.files().get(0);
      assertThat(f.artifactPath()).isEqualTo("nested/model.bin");
      assertThat(f.checksum()).isEqualTo(artifact.files().get(0).checksum());
      assertThat(Files.readString(f.localPath())).isEqualTo("weights-v1");
      copyDir = f.localPath().getParent().getParent();
      j.commit();
      assertThat(copyDir).doesNotExist();
      assertThat(j.peek()).isEqualTo(new EventJournal.Events(batch(3, 3)));
      j.commit();
    }
    assertThat(dir.resolve("run5")).doesNotExist();
  }

  @Test
  void aBatchTooLargeForOneRecordIsStoredAsSeveralAndReadBackWhole() throws IOException {
    EventBatch big = batch(0, 1_000); // about 30 KB encoded
    try (EventJournal j = EventJournal.open(dir, "run6", "mlflow", 4_096)) {
      j.append(big);
      assertThat(j.pendingEvents()).isEqualTo(1_000);
    }
    List<MetricEvent> back = new java.util.ArrayList<>();
    try (EventJournal j = EventJournal.open(dir, "run6", "mlflow", 4_096)) {
      // Reopening reads every record: none was taken for a torn tail.
      assertThat(j.pendingEvents()).isEqualTo(1_000);
      EventJournal.Entry e;
      while ((e = j.peek()) != null) {
        back.addAll(((EventJournal.Events) e).batch().metrics());
        j.commit();
      }
    }
    assertThat(back).isEqualTo(big.metrics());
  }
}
