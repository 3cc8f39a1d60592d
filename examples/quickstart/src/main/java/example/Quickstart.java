package example;

import dev.tracelet.api.StartOptions;
import dev.tracelet.api.Tracelet;
import java.util.Map;

/**
 * The smallest useful Tracelet program: one run with parameters and a metric per epoch, on the
 * backends the settings select (the local store by default).
 */
public final class Quickstart {
  private Quickstart() {}

  public static void main(String[] args) {
    StartOptions options =
        StartOptions.builder("quickstart").project("examples").tags("example").build();
    // Tracelet.run ends the run FINISHED when the block returns and FAILED when it throws.
    Tracelet.run(
        options,
        run -> {
          run.logParams(Map.of("learning_rate", 0.1, "epochs", 20));
          double loss = 1.0;
          for (int epoch = 0; epoch < 20; epoch++) {
            loss *= 0.85; // stands in for one epoch of real training
            run.logMetric("loss", loss, epoch);
          }
          System.out.println("Run " + run.id() + " logged; look at it with:");
          System.out.println("  tracelet runs show " + run.id());
        });
  }
}
