package dev.tracelet.plugin.wandb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class FileStreamStateTest {
  @Test
  void requestsStartAtTheAcknowledgedOffsetUntilTheServerTakesThem() {
    FileStreamState state = new FileStreamState(0, 0, 0);
    state.history().append("{\"_step\":0}");
    state.history().append("{\"_step\":1}");

    FileStreamState.Request first = state.next(null);
    JsonNode h = first.body().get("files").get(FileStreamState.HISTORY);
    assertThat(h.get("offset").asLong()).isZero();
    assertThat(h.get("content")).hasSize(2);

    // Not acknowledged (the request failed): more lines join, the offset stays.
    state.history().append("{\"_step\":2}");
    FileStreamState.Request again = state.next(null);
    JsonNode h2 = again.body().get("files").get(FileStreamState.HISTORY);
    assertThat(h2.get("offset").asLong()).isZero();
    assertThat(h2.get("content")).hasSize(3);
    assertThat(h2.get("content").get(0)).isEqualTo(h.get("content").get(0));

    state.accepted(again);
    assertThat(state.history().acked()).isEqualTo(3);
    assertThat(state.hasPending()).isFalse();
    state.history().append("{\"_step\":3}");
    assertThat(
            state
                .next(null)
                .body()
                .get("files")
                .get(FileStreamState.HISTORY)
                .get("offset")
                .asLong())
        .isEqualTo(3);
  }

  @Test
  void refusedLinesAreDroppedWithoutMovingTheOffset() {
    FileStreamState state = new FileStreamState(5, 0, 0);
    state.history().append("{\"bad\":1}");
    state.refused(state.next(null));
    state.history().append("{\"good\":1}");
    JsonNode h = state.next(null).body().get("files").get(FileStreamState.HISTORY);
    assertThat(h.get("offset").asLong()).isEqualTo(5);
    assertThat(h.get("content").get(0).asText()).isEqualTo("{\"good\":1}");
  }

  @Test
  void aRequestStaysWithinTheSizeLimitAndCompletesOnlyWhenNothingIsLeft() {
    FileStreamState state = new FileStreamState(0, 0, 0, 1_000);
    String line = "{\"x\":\"" + "a".repeat(280) + "\"}";
    for (int i = 0; i < 5; i++) {
      state.history().append(line);
    }
    FileStreamState.Request first = state.next(0);
    assertThat(first.lines()).isBetween(1, 3);
    assertThat(first.complete()).isFalse();
    assertThat(first.body().has("complete")).isFalse();
    int sent = 0;
    FileStreamState.Request r = first;
    while (!r.complete()) {
      state.accepted(r);
      sent += r.lines();
      r = state.next(0);
    }
    sent += r.lines();
    assertThat(sent).isEqualTo(5);
    assertThat(r.body().get("complete").asBoolean()).isTrue();
    assertThat(r.body().get("exitcode").asInt()).isZero();
  }

  @Test
  void theSummaryIsSentWhenItChangesAsOneLineAtOffsetZero() {
    FileStreamState state = new FileStreamState(0, 0, 0);
    assertThat(state.hasPending()).isFalse();
    state.setSummary("{\"a\":1}");
    FileStreamState.Request r = state.next(null);
    JsonNode s = r.body().get("files").get(FileStreamState.SUMMARY);
    assertThat(s.get("offset").asInt()).isZero();
    assertThat(s.get("content")).hasSize(1);
    state.accepted(r);
    state.setSummary("{\"a\":1}");
    assertThat(state.summaryDirty()).as("the same summary again").isFalse();
    state.setSummary("{\"a\":2}");
    assertThat(state.summaryDirty()).isTrue();
  }

  @Test
  void anEmptyRequestIsAHeartbeat() {
    FileStreamState state = new FileStreamState(0, 0, 0);
    assertThat(state.next(null).body().toString()).isEqualTo("{}");
  }

  @Test
  void encodedSizeCountsEscapesAndUtf8() {
    assertThat(LineFile.encodedSize("ab")).isEqualTo(2 + 4);
    assertThat(LineFile.encodedSize("\"")).isEqualTo(2 + 4);
    assertThat(LineFile.encodedSize("é")).isEqualTo(2 + 4);
    assertThat(LineFile.encodedSize("😀")).isEqualTo(4 + 4);
  }
}
