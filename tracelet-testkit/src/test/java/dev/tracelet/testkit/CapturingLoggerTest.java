package dev.tracelet.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.System.Logger.Level;
import org.junit.jupiter.api.Test;

class CapturingLoggerTest {
  private final CapturingLogger logger = new CapturingLogger();

  @Test
  void keepsFormattedMessagesByLevel() {
    logger.log(Level.INFO, "plain {0}");
    logger.log(Level.WARNING, "run {0} at step {1}", "r1", 7);
    logger.log(Level.ERROR, "failed", new IllegalStateException("boom"));

    assertThat(logger.messagesAt(Level.WARNING)).containsExactly("run r1 at step 7");
    assertThat(logger.messagesAtLeast(Level.WARNING)).containsExactly("run r1 at step 7", "failed");
    assertThat(logger.messagesAtLeast(Level.TRACE)).first().isEqualTo("plain {0}");
    assertThat(logger.entries()).hasSize(3);
    assertThat(logger.entries().get(2).thrown()).hasMessage("boom");
  }

  @Test
  void theTextShowsLevelsAndStackTracesWithCauses() {
    logger.log(Level.INFO, "hello");
    logger.log(
        Level.ERROR, "failed", new IllegalStateException("outer", new RuntimeException("inner")));

    assertThat(logger.text())
        .startsWith("INFO hello\nERROR failed\njava.lang.IllegalStateException: outer")
        .contains("\tat ")
        .contains("Caused by: java.lang.RuntimeException: inner");
  }

  @Test
  void aNullMessageIsKeptAsNull() {
    logger.log(Level.INFO, (String) null);

    assertThat(logger.messagesAt(Level.INFO)).containsExactly("null");
    assertThat(logger.text()).isEqualTo("INFO null");
  }
}
