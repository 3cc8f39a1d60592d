package dev.tracelet.plugin.local;

import static dev.tracelet.plugin.local.StoreFixture.metrics;
import static dev.tracelet.plugin.local.StoreFixture.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.store.ExperimentSummary;
import dev.tracelet.api.store.ResultsTable;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.api.store.Sort;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every sortable field, both directions, checked against the order the values dictate. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SortingTest {
  @TempDir static Path temp;
  StoreFixture f;

  @BeforeAll
  void populate() {
    f = new StoreFixture(temp);
    // Experiments: "b-two" has 2 runs, "a-none" none, "c-one" 1; created in this order.
    f.runs.getOrCreateExperiment("b-two");
    f.runs.getOrCreateExperiment("a-none");
    run("b-two", "zeta", Instant.parse("2024-01-01T00:00:00Z"), 9L, 0.5, RunStatus.FINISHED);
    run("b-two", "alpha", Instant.parse("2024-01-03T00:00:00Z"), 10L, Double.NaN, RunStatus.FAILED);
    run("c-one", "mid", Instant.parse("2024-01-02T00:00:00Z"), 2L, 0.9, RunStatus.KILLED);
    run("c-one", "nolr", Instant.parse("2024-01-04T00:00:00Z"), null, null, RunStatus.FINISHED);
  }

  @AfterAll
  void close() {
    f.close();
  }

  private void run(String exp, String name, Instant start, Long lr, Double acc, RunStatus end) {
    LocalSession s = f.open(f.context(exp).withName(name).withStart(start));
    if (lr != null) {
      s.log(params(Map.of("lr", lr)));
    }
    if (acc != null) {
      s.log(metrics("acc", acc));
    }
    s.close(end);
  }

  static Stream<Arguments> summaryFields() {
    List<Arguments> args = new ArrayList<>();
    Map<String, Function<ExperimentSummary, Object>> fields =
        Map.of(
            "experiment_id", e -> Long.parseLong(e.experimentId()),
            "name", ExperimentSummary::name,
            "created_at", ExperimentSummary::createdAt,
            "num_runs", e -> (long) e.numRuns(),
            "last_run", e -> e.lastRun());
    fields.forEach(
        (field, key) -> {
          args.add(Arguments.of(field, true, key));
          args.add(Arguments.of(field, false, key));
        });
    return args.stream();
  }

  @ParameterizedTest(name = "summaries by {0}, ascending={1}")
  @MethodSource("summaryFields")
  void summariesSortByEveryField(
      String field, boolean ascending, Function<ExperimentSummary, Object> key) {
    Sort sort = ascending ? Sort.by(field) : Sort.by(field).descending();
    List<ExperimentSummary> sorted = f.runs.experimentSummaries(sort);
    assertThat(sorted).hasSize(3);
    assertOrdered(sorted.stream().map(key).toList(), ascending);
  }

  static Stream<Arguments> runFields() {
    List<Arguments> args = new ArrayList<>();
    for (String field :
        List.of(
            "run_id",
            "name",
            "status",
            "start_time",
            "end_time",
            "duration",
            "param.lr",
            "metric.acc")) {
      args.add(Arguments.of(field, true));
      args.add(Arguments.of(field, false));
    }
    return args.stream();
  }

  @ParameterizedTest(name = "runs by {0}, ascending={1}")
  @MethodSource("runFields")
  void runsAndResultsSortByEveryColumn(String field, boolean ascending) {
    Sort sort = ascending ? Sort.by(field) : Sort.by(field).descending();
    for (String exp : List.of("b-two", "c-one")) {
      ResultsTable table = f.runs.loadResults(exp, sort);
      List<Object> values = new ArrayList<>();
      for (Map<String, Object> row : table.rows()) {
        values.add(field.equals("name") ? null : row.get(field));
      }
      if (!field.equals("name")) {
        assertOrdered(values, ascending);
      }
      List<RunInfo> runs = f.runs.experimentRuns(exp, sort);
      assertThat(runs)
          .extracting(RunInfo::runId)
          .containsExactlyElementsOf(
              table.rows().stream().map(r -> (String) r.get("run_id")).toList());
      if (field.equals("name")) {
        assertOrdered(runs.stream().map(r -> (Object) r.name()).toList(), ascending);
      }
    }
  }

  @Test
  void absentAndNanSortLastInBothDirections() {
    for (Sort sort : List.of(Sort.by("metric.acc"), Sort.by("metric.acc").descending())) {
      List<RunInfo> runs = f.runs.experimentRuns("b-two", sort);
      assertThat(runs.get(1).name()).as(sort.toString()).isEqualTo("alpha"); // NaN
    }
    for (Sort sort : List.of(Sort.by("param.lr"), Sort.by("param.lr").descending())) {
      List<RunInfo> runs = f.runs.experimentRuns("c-one", sort);
      assertThat(runs.get(1).name()).as(sort.toString()).isEqualTo("nolr");
    }
  }

  @Test
  void numericParametersSortAsNumbers() {
    assertThat(f.runs.experimentRuns("b-two", Sort.by("param.lr")))
        .extracting(RunInfo::name)
        .containsExactly("zeta", "alpha"); // 9 before 10
  }

  @Test
  void unknownFieldsFailListingTheValidOnes() {
    assertThatThrownBy(() -> f.runs.experimentSummaries(Sort.by("runs")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("num_runs");
    assertThatThrownBy(() -> f.runs.loadResults("b-two", Sort.by("timestamp")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metric.<key>");
    assertThatThrownBy(() -> f.runs.registry().modelVersions("x", Sort.by("stage")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("registered_at");
  }

  /** Present values are in order (NaN counts as absent); absent ones all come after them. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void assertOrdered(List<Object> values, boolean ascending) {
    List<Object> present = new ArrayList<>();
    boolean seenAbsent = false;
    for (Object v : values) {
      boolean absent = v == null || (v instanceof Double d && d.isNaN());
      if (absent) {
        seenAbsent = true;
      } else {
        assertThat(seenAbsent).as("a present value after an absent one in %s", values).isFalse();
        present.add(v instanceof Number n && !(v instanceof Long) ? n.doubleValue() : v);
      }
    }
    List<Object> expected = new ArrayList<>(present);
    expected.sort((a, b) -> ((Comparable) a).compareTo(b));
    if (!ascending) {
      Collections.reverse(expected);
    }
    assertThat(present).as("order of %s", values).containsExactlyElementsOf(expected);
  }
}
