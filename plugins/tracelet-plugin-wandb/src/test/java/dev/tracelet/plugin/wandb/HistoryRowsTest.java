package dev.tracelet.plugin.wandb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryRowsTest {
  private final List<HistoryRows.Row> committed = new ArrayList<>();

  @Test
  void pointsOfOneStepShareARowThatStaysOpenUntilAHigherStep() {
    HistoryRows rows = new HistoryRows(-1);
    assertThat(rows.add("loss", 1.0, 0, 100, committed)).isTrue();
    assertThat(rows.add("acc", 0.5, 0, 105, committed)).isTrue();
    assertThat(committed).isEmpty();
    assertThat(rows.add("loss", 0.9, 1, 200, committed)).isTrue();

    assertThat(committed).hasSize(1);
    HistoryRows.Row row = committed.get(0);
    assertThat(row.step()).isZero();
    assertThat(row.values())
        .containsExactly(java.util.Map.entry("loss", 1.0), java.util.Map.entry("acc", 0.5));
    assertThat(row.timestamp()).as("the row's latest point").isEqualTo(105);
    assertThat(rows.commitOpen().step()).isEqualTo(1);
    assertThat(rows.commitOpen()).isNull();
  }

  @Test
  void aLaterValueForTheSameKeyAndStepReplacesTheEarlier() {
    HistoryRows rows = new HistoryRows(-1);
    rows.add("loss", 1.0, 3, 100, committed);
    rows.add("loss", 2.0, 3, 101, committed);
    assertThat(rows.commitOpen().values()).containsEntry("loss", 2.0).hasSize(1);
  }

  @Test
  void pointsBelowTheOpenStepOrAlreadyCommittedAreLate() {
    HistoryRows rows = new HistoryRows(-1);
    rows.add("loss", 1.0, 5, 100, committed);
    rows.add("loss", 1.0, 6, 100, committed);
    assertThat(rows.add("val", 0.1, 5, 100, committed)).as("committed step").isFalse();
    assertThat(rows.add("val", 0.1, 4, 100, committed)).as("lower step").isFalse();
    assertThat(rows.add("val", 0.1, 6, 100, committed)).as("the open step").isTrue();
    assertThat(rows.latePoints()).isEqualTo(2);
    assertThat(rows.lastStep()).isEqualTo(6);
  }

  @Test
  void aResumedRunStartsAfterTheStepTheServerHas() {
    HistoryRows rows = new HistoryRows(10);
    assertThat(rows.add("loss", 1.0, 10, 100, committed)).isFalse();
    assertThat(rows.add("loss", 1.0, 11, 100, committed)).isTrue();
    assertThat(rows.hasOpenRow()).isTrue();
  }

  @Test
  void stepZeroIsAStep() {
    HistoryRows rows = new HistoryRows(-1);
    assertThat(rows.add("loss", 1.0, 0, 100, committed)).isTrue();
    assertThat(rows.commitOpen().step()).isZero();
  }
}
