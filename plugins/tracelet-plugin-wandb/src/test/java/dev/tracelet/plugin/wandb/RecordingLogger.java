package dev.tracelet.plugin.wandb;

import dev.tracelet.testkit.CapturingLogger;
import java.util.List;

/** A {@link System.Logger} that keeps every formatted message, for assertions. Thread-safe. */
final class RecordingLogger extends CapturingLogger {
  /** The messages logged at {@code atLeast} or more severe, oldest first. */
  List<String> messages(Level atLeast) {
    return messagesAtLeast(atLeast);
  }
}
