package dev.tracelet.distribution;

import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.Tracelet;
import dev.tracelet.core.dispatch.BackendDelivery;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.runtime.DefaultExperiment;
import java.util.Map;

/**
 * The training program {@link CrashSuiteIT} kills. It runs on the distribution's {@code lib/} with
 * its {@code plugins/} folder and takes its settings like any user program ({@code -Dtracelet.*},
 * {@code TRACELET_RUN_ID}); it reports progress in lines on stdout.
 *
 * <ul>
 *   <li>{@code log <every> <limit>}: starts the run {@code crash}, logs two parameters, prints
 *       {@code RUN <id>}, then logs metric {@code loss} at steps 0, 1, 2, … (value {@link #value}).
 *       After every {@code every} points it calls {@link Experiment#flush()} and prints {@code
 *       FLUSHED <n>}: steps below {@code n} are delivered or durably journaled. With a {@code
 *       limit} above 0 it ends the run after that many points and prints {@code ENDED lost=<n>
 *       journaled=<n>} (events lost for good, events left in the journal); with 0 it logs until it
 *       is killed.
 *   <li>{@code resume}: starts the run named by {@code TRACELET_RUN_ID} again, prints {@code
 *       RESUMED <id>}, logs metric {@code resumed} once, ends the run (which replays what the
 *       journal holds first) and prints {@code ENDED lost=<n> journaled=<n>}.
 * </ul>
 */
public final class CrashChild {
  /** A hang guard: a child nobody kills stops by itself. */
  private static final long MAX_NANOS = 150_000_000_000L;

  private CrashChild() {}

  /** The value logged at {@code step}. */
  static double value(long step) {
    return 1.0 / (1 + step);
  }

  public static void main(String[] args) {
    switch (args[0]) {
      case "log" -> log(Integer.parseInt(args[1]), Long.parseLong(args[2]));
      case "resume" -> resume();
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    // The plugin folder watcher is not a daemon thread; a training program ends with the JVM.
    System.exit(0);
  }

  private static void log(int every, long limit) {
    long deadline = System.nanoTime() + MAX_NANOS;
    Experiment exp = Tracelet.startLogging(StartOptions.builder("crash").build());
    exp.logParams(Map.of("lr", 0.01, "model", "mlp"));
    say("RUN " + exp.id());
    for (long step = 0; limit == 0 || step < limit; step++) {
      exp.logMetric("loss", value(step), step);
      if ((step + 1) % every == 0) {
        exp.flush();
        say("FLUSHED " + (step + 1));
        if (System.nanoTime() - deadline > 0) {
          say("TIMEOUT nobody killed this process");
          System.exit(3);
        }
      }
    }
    say("ENDED " + end(exp));
  }

  private static void resume() {
    Experiment exp = Tracelet.startLogging(StartOptions.builder("crash").build());
    say("RESUMED " + exp.id());
    exp.logMetric("resumed", 1.0, 0);
    say("ENDED " + end(exp));
  }

  /** Ends the run; says how many events were lost and how many stay journaled. */
  private static String end(Experiment exp) {
    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    System.err.println("delivery: " + report);
    return "lost="
        + report.backends().stream().mapToLong(BackendDelivery::lost).sum()
        + " journaled="
        + report.backends().stream().mapToLong(BackendDelivery::journaled).sum();
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
