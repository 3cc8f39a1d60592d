package dev.tracelet.api.store;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * An ordering for the read side: {@code Sort.by("start_time").descending()}, or {@link #none()} for
 * the store's natural order. Field names are RuneLog's snake_case column names; {@code param.<key>}
 * and {@code metric.<key>} sort runs by a parameter or a metric's latest value.
 */
public final class Sort {
  /** What {@link RunStore#experimentSummaries(Sort)} sorts by. */
  public static final List<String> SUMMARY_FIELDS =
      List.of("experiment_id", "name", "created_at", "num_runs", "last_run");

  /** What {@link RunStore#experimentRuns} and {@link RunStore#loadResults} sort by. */
  public static final List<String> RUN_FIELDS =
      List.of(
          "run_id",
          "name",
          "status",
          "start_time",
          "end_time",
          "duration",
          "param.<key>",
          "metric.<key>");

  /** What {@link ModelRegistry#modelVersions} sorts by. */
  public static final List<String> VERSION_FIELDS = List.of("version", "registered_at");

  private static final Sort NONE = new Sort(null, true);

  private final @Nullable String field;
  private final boolean ascending;

  private Sort(@Nullable String field, boolean ascending) {
    this.field = field;
    this.ascending = ascending;
  }

  /** Sorts by {@code field}, ascending until {@link #descending()} says otherwise. */
  public static Sort by(String field) {
    Objects.requireNonNull(field, "field");
    if (field.isBlank()) {
      throw new IllegalArgumentException("sort field must not be blank");
    }
    return new Sort(field, true);
  }

  /** The store's natural order. */
  public static Sort none() {
    return NONE;
  }

  public Sort ascending() {
    return field == null ? this : new Sort(field, true);
  }

  public Sort descending() {
    return field == null ? this : new Sort(field, false);
  }

  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  public boolean isAscending() {
    return ascending;
  }

  public boolean isNone() {
    return field == null;
  }

  /**
   * Checks the field against what a listing can sort by; {@code param.} and {@code metric.}
   * prefixes are accepted when {@code validFields} holds {@code "param.<key>"} or {@code
   * "metric.<key>"}.
   *
   * @throws IllegalArgumentException naming the field and every valid one
   */
  public Sort requireValid(Collection<String> validFields) {
    if (field == null) {
      return this;
    }
    if (validFields.contains(field)
        || (field.startsWith("param.") && field.length() > 6 && validFields.contains("param.<key>"))
        || (field.startsWith("metric.")
            && field.length() > 7
            && validFields.contains("metric.<key>"))) {
      return this;
    }
    throw new IllegalArgumentException(
        "Cannot sort by '" + field + "'; valid fields are " + String.join(", ", validFields));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sort s && Objects.equals(field, s.field) && ascending == s.ascending;
  }

  @Override
  public int hashCode() {
    return Objects.hash(field, ascending);
  }

  @Override
  public String toString() {
    return field == null ? "Sort.none()" : "Sort.by(" + field + ")." + (ascending ? "asc" : "desc");
  }
}
