package dev.tracelet.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Assertions on what a server holds. */
final class Checks {
  private static final int EXAMPLES = 5;

  private Checks() {}

  /**
   * Every metric of {@link Training#METRICS} holds exactly one value at every step {@code 0 ..
   * steps-1}, the value logged, and nothing else.
   */
  static void assertEveryPointOnce(RunContents contents, int steps) {
    assertThat(contents.points().keySet())
        .as("metrics the server holds")
        .containsExactlyInAnyOrderElementsOf(Training.METRICS);
    List<String> problems = new ArrayList<>();
    for (int m = 0; m < Training.METRICS.size(); m++) {
      String name = Training.METRICS.get(m);
      Map<Long, List<Double>> byStep = contents.points().get(name);
      int missing = 0;
      int duplicated = 0;
      int wrong = 0;
      List<String> examples = new ArrayList<>();
      for (long step = 0; step < steps; step++) {
        List<Double> values = byStep.get(step);
        double expected = Training.value(m, step);
        if (values == null) {
          missing++;
          example(examples, "step " + step + " missing");
        } else if (values.size() > 1) {
          duplicated++;
          example(examples, "step " + step + " held " + values.size() + " times: " + values);
        } else if (values.get(0) != expected) {
          wrong++;
          example(examples, "step " + step + " holds " + values.get(0) + ", not " + expected);
        }
      }
      long extra = byStep.keySet().stream().filter(s -> s < 0 || s >= steps).count();
      if (missing + duplicated + wrong + extra > 0) {
        problems.add(
            String.format(
                "%s: %d missing, %d duplicated, %d wrong, %d unexpected steps, e.g. %s",
                name, missing, duplicated, wrong, extra, examples));
      }
    }
    assertThat(problems).as("points not held exactly once").isEmpty();
  }

  private static void example(List<String> examples, String text) {
    if (examples.size() < EXAMPLES) {
      examples.add(text);
    }
  }
}
