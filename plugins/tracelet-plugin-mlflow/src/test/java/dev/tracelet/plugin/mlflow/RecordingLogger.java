package dev.tracelet.plugin.mlflow;

import dev.tracelet.testkit.CapturingLogger;
import java.util.List;

/** A System.Logger that keeps what was logged, so tests can check warnings. */
final class RecordingLogger extends CapturingLogger {
  /** The lines logged at exactly {@code level}, each as {@code "LEVEL message"}. */
  List<String> at(Level level) {
    return messagesAt(level).stream().map(m -> level + " " + m).toList();
  }
}
