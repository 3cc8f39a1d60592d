package dev.tracelet.api.store;

import dev.tracelet.api.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A run's identity, status and times; {@code endTime} is null while it runs. */
public record RunInfo(
    String runId,
    String experimentId,
    String name,
    RunStatus status,
    Instant startTime,
    @Nullable Instant endTime) {

  /** How long the run took, or has taken so far if it is still running. */
  public Duration duration() {
    return Duration.between(startTime, endTime == null ? Instant.now() : endTime);
  }

  public Optional<Instant> end() {
    return Optional.ofNullable(endTime);
  }
}
