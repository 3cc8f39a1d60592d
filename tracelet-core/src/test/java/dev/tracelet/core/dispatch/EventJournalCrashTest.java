package dev.tracelet.core.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a process killed in the middle of the journal's bookkeeping leaves behind. A kill stops a
 * sequence of file operations after any one of them, so every intermediate state must reopen to at
 * most the batch in flight being replayed again, and never to a batch being skipped.
 */
class EventJournalCrashTest {
  @TempDir Path dir;

  private static EventBatch batch(int from, int n) {
    List<MetricEvent> m = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      m.add(new MetricEvent("loss", i * 0.5, i, 1_700_000_000_000L + i));
    }
    return new EventBatch(m, List.of(), List.of());
  }

  private static Path cursorOf(Path journal) {
    return journal.resolveSibling(journal.getFileName() + ".cursor");
  }

  /**
   * Rewriting the cursor in place (truncate, then write) passes through an empty file; a kill there
   * would make the next process replay the whole journal. A cursor that is replaced (a new file
   * renamed over the old) is always whole: old or new.
   */
  @Test
  void theCursorIsReplacedNeverRewrittenInPlace() throws IOException {
    try (EventJournal j = EventJournal.open(dir, "run1", "mlflow")) {
      for (int i = 0; i < 3; i++) {
        j.append(batch(i * 10, 10));
      }
      j.peek();
      j.commit();
      Path cursor = cursorOf(j.file());
      Object first = Files.readAttributes(cursor, BasicFileAttributes.class).fileKey();
      j.peek();
      j.commit();
      Object second = Files.readAttributes(cursor, BasicFileAttributes.class).fileKey();
      assertThat(second)
          .as("the cursor file after the second commit is a new file")
          .isNotEqualTo(first);
      try (Stream<Path> files = Files.list(j.file().getParent())) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("mlflow.journal", "mlflow.journal.cursor");
      }
    }
    try (EventJournal j = EventJournal.open(dir, "run1", "mlflow")) {
      assertThat(j.pendingEvents()).isEqualTo(10);
      assertThat(j.peek()).isEqualTo(new EventJournal.Events(batch(20, 10)));
    }
  }

  /**
   * A delivered journal is removed before its cursor, so a kill between the two leaves a cursor
   * without a journal; it points into no file and must not skip the records of the next journal.
   */
  @Test
  void aCursorLeftWithoutItsJournalIsDropped() throws IOException {
    Path run = Files.createDirectories(dir.resolve("run2"));
    Files.writeString(run.resolve("mlflow.journal.cursor"), "100000");
    try (EventJournal j = EventJournal.open(dir, "run2", "mlflow")) {
      assertThat(j.hasPending()).isFalse();
      j.append(batch(0, 10));
      j.append(batch(10, 10));
    }
    try (EventJournal j = EventJournal.open(dir, "run2", "mlflow")) {
      assertThat(j.pendingEvents()).isEqualTo(20);
      assertThat(j.peek()).isEqualTo(new EventJournal.Events(batch(0, 10)));
    }
  }

  /**
   * Killed after the last batch was delivered but before anything was removed: the cursor still
   * names the last batch, which is replayed once more, and nothing else.
   */
  @Test
  void aDeliveredJournalNotYetRemovedReplaysOnlyItsLastBatch() throws IOException {
    Path journal;
    try (EventJournal j = EventJournal.open(dir, "run3", "mlflow")) {
      for (int i = 0; i < 3; i++) {
        j.append(batch(i * 10, 10));
      }
      j.peek();
      j.commit();
      j.peek();
      j.commit();
      journal = j.file();
    }
    // The state the final commit starts from: the third batch went out, nothing was removed yet.
    try (EventJournal j = EventJournal.open(dir, "run3", "mlflow")) {
      assertThat(j.pendingEvents()).isEqualTo(10);
      assertThat(j.peek()).isEqualTo(new EventJournal.Events(batch(20, 10)));
      j.commit();
    }
    assertThat(journal).doesNotExist();
    assertThat(cursorOf(journal)).doesNotExist();
    assertThat(dir.resolve("run3")).doesNotExist();
  }
}
