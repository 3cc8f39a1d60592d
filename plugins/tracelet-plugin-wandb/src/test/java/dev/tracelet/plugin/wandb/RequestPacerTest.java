package dev.tracelet.plugin.wandb;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestPacerTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<Duration> sleeps = new ArrayList<>();
  private final RequestPacer pacer =
      new RequestPacer(
          Duration.ofMillis(500),
          now::get,
          d -> {
            sleeps.add(d);
            now.addAndGet(d.toNanos());
          });

  @Test
  void theFirstRequestGoesAtOnceAndTheNextWaitsFromTheEndOfThePrevious() throws Exception {
    pacer.awaitTurn();
    assertThat(sleeps).isEmpty();
    now.addAndGet(Duration.ofMillis(300).toNanos()); // the request takes 300 ms
    pacer.ended(null, null);
    now.addAndGet(Duration.ofMillis(100).toNanos());
    pacer.awaitTurn();
    assertThat(sleeps).containsExactly(Duration.ofMillis(400));
  }

  @Test
  void anExhaustedRateLimitWaitsForItsReset() throws Exception {
    pacer.ended("0", "3");
    assertThat(pacer.waitNanos()).isEqualTo(Duration.ofSeconds(3).toNanos());
    pacer.awaitTurn();
    assertThat(sleeps).containsExactly(Duration.ofSeconds(3));
    pacer.ended("5", "3");
    assertThat(pacer.waitNanos()).isEqualTo(Duration.ofMillis(500).toNanos());
  }

  @Test
  void aResetLongerThanAMinuteIsCapped() {
    pacer.ended("0", "3600");
    assertThat(pacer.waitNanos()).isEqualTo(Duration.ofSeconds(60).toNanos());
  }
}
