package dev.tracelet.api;

/**
 * Training code run inside an experiment by {@link Tracelet#run(StartOptions, ExperimentBlock)}.
 *
 * @param <X> the checked exception the block may throw; inferred as {@code RuntimeException} when
 *     it throws none
 */
@FunctionalInterface
public interface ExperimentBlock<X extends Exception> {
  void run(Experiment experiment) throws X;
}
