package dev.tracelet.api.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** One line of {@link RunStore#experimentSummaries(Sort)}; {@code lastRun} is null without runs. */
public record ExperimentSummary(
    String experimentId, String name, Instant createdAt, int numRuns, @Nullable Instant lastRun) {}
