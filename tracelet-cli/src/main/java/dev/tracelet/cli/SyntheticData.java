package dev.tracelet.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded two-class data set for the demo. The classes differ only in the first feature, but every
 * feature also carries one shared random factor, so the first feature alone separates them poorly:
 * a model has to learn to subtract the factor, estimated from the other features. Plain gradient
 * descent finds that slowly, which gives the demo a real learning curve (accuracy from about 75% to
 * about 89%) instead of one that is flat after the first step. Features also get different scales
 * and offsets (so standardizing matters), and a few labels are flipped. The same seed gives the
 * same data on every JVM, because {@link Random}'s algorithm is specified.
 */
final class SyntheticData {
  /** One labelled point; {@code toString} feeds the data set's fingerprint. */
  record Sample(double[] features, int label) {
    @Override
    public String toString() {
      return Arrays.toString(features) + "->" + label;
    }
  }

  /** How far each class centre is from the origin along the first feature. */
  static final double SEPARATION = 1.8;

  /** How strongly the shared factor enters every feature. */
  static final double SHARED_FACTOR = 2.5;

  /** The share of labels flipped at random. */
  static final double LABEL_NOISE = 0.03;

  private final List<Sample> samples;
  private final int features;

  private SyntheticData(List<Sample> samples, int features) {
    this.samples = List.copyOf(samples);
    this.features = features;
  }

  static SyntheticData generate(long seed, int size, int features) {
    if (size < 10 || features < 1) {
      throw new IllegalArgumentException("need at least 10 samples and 1 feature");
    }
    Random rnd = new Random(seed);
    List<Sample> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      int label = rnd.nextBoolean() ? 1 : 0;
      double shared = rnd.nextGaussian();
      double[] x = new double[features];
      for (int j = 0; j < features; j++) {
        x[j] = rnd.nextGaussian() + SHARED_FACTOR * shared;
      }
      x[0] += label == 1 ? SEPARATION : -SEPARATION;
      for (int j = 0; j < features; j++) {
        x[j] = (1 + j) * x[j] + 2.0 * j; // scale and offset differ per feature
      }
      if (rnd.nextDouble() < LABEL_NOISE) {
        label = 1 - label;
      }
      out.add(new Sample(x, label));
    }
    return new SyntheticData(out, features);
  }

  List<Sample> samples() {
    return samples;
  }

  int size() {
    return samples.size();
  }

  int features() {
    return features;
  }

  /** Samples {@code [from, to)}; the points are drawn independently, so any slice is random. */
  SyntheticData slice(int from, int to) {
    return new SyntheticData(samples.subList(from, to), features);
  }

  double[][] x() {
    return samples.stream().map(Sample::features).toArray(double[][]::new);
  }

  int[] y() {
    return samples.stream().mapToInt(Sample::label).toArray();
  }
}
