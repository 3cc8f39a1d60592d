package dev.tracelet.cli;

/**
 * Per-feature mean and standard deviation from the training data, applied to every split: fitting
 * it on the validation data too would leak it into training.
 */
record Standardizer(double[] means, double[] stds) {
  static Standardizer fit(double[][] x) {
    int d = x[0].length;
    double[] means = new double[d];
    double[] stds = new double[d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        means[j] += row[j];
      }
    }
    for (int j = 0; j < d; j++) {
      means[j] /= x.length;
    }
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        stds[j] += (row[j] - means[j]) * (row[j] - means[j]);
      }
    }
    for (int j = 0; j < d; j++) {
      stds[j] = Math.sqrt(stds[j] / x.length);
      if (stds[j] == 0) {
        stds[j] = 1; // a constant feature stays 0 instead of becoming NaN
      }
    }
    return new Standardizer(means, stds);
  }

  double[][] apply(double[][] x) {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      out[i] = new double[x[i].length];
      for (int j = 0; j < x[i].length; j++) {
        out[i][j] = (x[i][j] - means[j]) / stds[j];
      }
    }
    return out;
  }
}
