package dev.tracelet.cli;

/**
 * Binary logistic regression trained by full-batch gradient descent on the mean cross-entropy with
 * an L2 penalty on the weights. Inputs are expected standardized (see {@link Standardizer}).
 */
final class LogisticRegression {
  private final double[] weights;
  private final double l2;
  private double bias;

  LogisticRegression(int features, double l2) {
    this.weights = new double[features];
    this.l2 = l2;
  }

  double[] weights() {
    return weights.clone();
  }

  double bias() {
    return bias;
  }

  double l2() {
    return l2;
  }

  double logit(double[] x) {
    double z = bias;
    for (int j = 0; j < weights.length; j++) {
      z += weights[j] * x[j];
    }
    return z;
  }

  double probability(double[] x) {
    return sigmoid(logit(x));
  }

  static double sigmoid(double z) {
    // Two forms so that exp never overflows.
    if (z >= 0) {
      return 1 / (1 + Math.exp(-z));
    }
    double e = Math.exp(z);
    return e / (1 + e);
  }

  /** Mean cross-entropy plus {@code l2/2 * |w|^2}; stable for large logits. */
  double loss(double[][] x, int[] y) {
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      double z = logit(x[i]);
      // log(1 + e^z) - y*z, written so neither term overflows.
      sum += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y[i] * z;
    }
    double penalty = 0;
    for (double w : weights) {
      penalty += w * w;
    }
    return sum / x.length + 0.5 * l2 * penalty;
  }

  /** Share of points whose predicted class (probability at least 0.5) is the label. */
  double accuracy(double[][] x, int[] y) {
    int right = 0;
    for (int i = 0; i < x.length; i++) {
      int predicted = logit(x[i]) >= 0 ? 1 : 0;
      if (predicted == y[i]) {
        right++;
      }
    }
    return (double) right / x.length;
  }

  /** The loss's gradient: one entry per weight, then the bias's. */
  double[] gradient(double[][] x, int[] y) {
    double[] g = new double[weights.length + 1];
    for (int i = 0; i < x.length; i++) {
      double err = probability(x[i]) - y[i];
      for (int j = 0; j < weights.length; j++) {
        g[j] += err * x[i][j];
      }
      g[weights.length] += err;
    }
    for (int j = 0; j <= weights.length; j++) {
      g[j] /= x.length;
    }
    for (int j = 0; j < weights.length; j++) {
      g[j] += l2 * weights[j];
    }
    return g;
  }

  /** One gradient-descent step over the whole batch. */
  void step(double[][] x, int[] y, double learningRate) {
    double[] g = gradient(x, y);
    for (int j = 0; j < weights.length; j++) {
      weights[j] -= learningRate * g[j];
    }
    bias -= learningRate * g[weights.length];
  }
}
