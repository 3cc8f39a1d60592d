package dev.tracelet.cli;

/**
 * A learning rate that falls from {@code initial} to {@code last} along half a cosine over the
 * epochs: large steps early, small steps to settle at the end.
 */
record CosineSchedule(double initial, double last, int epochs) {
  CosineSchedule {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be at least 1");
    }
  }

  /** The rate for epoch {@code epoch} (0-based): {@code initial} first, {@code last} at the end. */
  double rate(int epoch) {
    if (epochs == 1) {
      return initial;
    }
    double progress = (double) epoch / (epochs - 1);
    return last + 0.5 * (initial - last) * (1 + Math.cos(Math.PI * progress));
  }
}
