package dev.tracelet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoMathTest {
  private static final int SEED = 42;

  @Test
  void sameSeedGivesSameDataAndOtherSeedsDiffer() {
    SyntheticData a = SyntheticData.generate(SEED, 500, 4);
    SyntheticData b = SyntheticData.generate(SEED, 500, 4);
    SyntheticData c = SyntheticData.generate(SEED + 1, 500, 4);

    assertThat(a.samples().toString()).isEqualTo(b.samples().toString());
    assertThat(a.samples().toString()).isNotEqualTo(c.samples().toString());
  }

  @Test
  void classesAreRoughlyBalanced() {
    SyntheticData d = SyntheticData.generate(SEED, DemoTraining.SAMPLES, DemoTraining.FEATURES);
    double positives = Arrays.stream(d.y()).average().orElseThrow();

    assertThat(positives).isBetween(0.4, 0.6);
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    SyntheticData d = SyntheticData.generate(7, 200, 3);
    double[][] x = Standardizer.fit(d.x()).apply(d.x());
    int[] y = d.y();
    LogisticRegression model = new LogisticRegression(3, 0.01);
    model.step(x, y, 0.3); // away from zero, so the L2 term matters too
    model.step(x, y, 0.3);

    double[] analytic = model.gradient(x, y);
    double[] params = Arrays.copyOf(model.weights(), 4);
    params[3] = model.bias();
    double h = 1e-6;
    for (int j = 0; j <= 3; j++) {
      double[] up = params.clone();
      up[j] += h;
      double[] down = params.clone();
      down[j] -= h;
      double numeric = (lossAt(up, x, y, 0.01) - lossAt(down, x, y, 0.01)) / (2 * h);
      assertThat(analytic[j]).as("d loss / d param %d", j).isCloseTo(numeric, within(1e-6));
    }
    assertThat(model.loss(x, y)).isCloseTo(lossAt(params, x, y, 0.01), within(1e-12));
  }

  /** The regularized cross-entropy at explicit parameters, written independently of the model. */
  private static double lossAt(double[] params, double[][] x, int[] y, double l2) {
    int d = params.length - 1;
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      double z = params[d];
      for (int j = 0; j < d; j++) {
        z += params[j] * x[i][j];
      }
      double p = 1 / (1 + Math.exp(-z));
      sum += -(y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p));
    }
    double penalty = 0;
    for (int j = 0; j < d; j++) {
      penalty += params[j] * params[j];
    }
    return sum / x.length + 0.5 * l2 * penalty;
  }

  @Test
  void lossIsStableForHugeLogits() {
    LogisticRegression model = new LogisticRegression(1, 0);
    double[][] x = {{1e6}, {-1e6}};
    int[] y = {0, 1};
    model.step(new double[][] {{1}}, new int[] {1}, 1000); // a large positive weight

    assertThat(model.loss(x, y)).isFinite().isGreaterThan(1000);
    assertThat(LogisticRegression.sigmoid(-1e6)).isZero();
    assertThat(LogisticRegression.sigmoid(1e6)).isEqualTo(1.0);
  }

  @Test
  void theModelLearnsWellAboveChance() {
    DemoTraining training = new DemoTraining(DemoTraining.Hyperparameters.defaults(40, SEED));
    List<DemoTraining.Epoch> seen = new java.util.ArrayList<>();
    DemoTraining.Result result = training.run(seen::add);

    int[] labels = training.data().y();
    double share = Arrays.stream(labels).average().orElseThrow();
    double majorityBaseline = Math.max(share, 1 - share);
    DemoTraining.Epoch first = seen.get(0);
    DemoTraining.Epoch last = result.last();

    assertThat(seen).hasSize(40);
    assertThat(last.valAccuracy()).isGreaterThan(0.8).isGreaterThan(majorityBaseline + 0.25);
    assertThat(last.trainAccuracy()).isGreaterThan(0.8);
    // The data set is built so that one step is not enough: training improves on it.
    assertThat(last.valAccuracy()).isGreaterThan(first.valAccuracy() + 0.05);
    // Cross-entropy of a model that knows nothing is ln 2.
    assertThat(last.trainLoss()).isLessThan(0.45).isLessThan(first.trainLoss());
    assertThat(last.valLoss()).isLessThan(0.45);
    assertThat(Arrays.stream(result.model().weights()).map(Math::abs).max().orElseThrow())
        .isGreaterThan(0.3);
  }

  @Test
  void trainingIsDeterministic() {
    DemoTraining.Result a =
        new DemoTraining(DemoTraining.Hyperparameters.defaults(10, SEED)).run(e -> {});
    DemoTraining.Result b =
        new DemoTraining(DemoTraining.Hyperparameters.defaults(10, SEED)).run(e -> {});

    assertThat(a.model().weights()).containsExactly(b.model().weights());
    assertThat(a.model().bias()).isEqualTo(b.model().bias());
  }

  @Test
  void standardizedTrainingFeaturesHaveMeanZeroAndUnitSpread() {
    SyntheticData d = SyntheticData.generate(SEED, 1000, 3);
    double[][] z = Standardizer.fit(d.x()).apply(d.x());
    for (int j = 0; j < 3; j++) {
      final int col = j;
      double mean = Arrays.stream(z).mapToDouble(r -> r[col]).average().orElseThrow();
      double var = Arrays.stream(z).mapToDouble(r -> r[col] * r[col]).average().orElseThrow();
      assertThat(mean).isCloseTo(0, within(1e-9));
      assertThat(var).isCloseTo(1, within(1e-9));
    }
  }

  @Test
  void cosineScheduleFallsFromInitialToLast() {
    CosineSchedule s = new CosineSchedule(0.8, 0.05, 40);
    assertThat(s.rate(0)).isEqualTo(0.8);
    assertThat(s.rate(39)).isCloseTo(0.05, within(1e-12));
    for (int e = 1; e < 40; e++) {
      assertThat(s.rate(e)).isLessThan(s.rate(e - 1));
    }
    assertThat(new CosineSchedule(0.8, 0.05, 1).rate(0)).isEqualTo(0.8);
  }
}
