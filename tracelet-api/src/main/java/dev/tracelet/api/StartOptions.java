package dev.tracelet.api;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How to start an experiment: {@code StartOptions.builder("resnet").project("vision")
 * .backends("local", "mlflow").tags("baseline").config(Map.of("track_git", false)).build()}.
 *
 * <p>Immutable. Anything left unset comes from the settings; {@link #config()} overrides every
 * other settings source for this experiment only.
 */
public final class StartOptions {
  private final String experimentName;
  private final @Nullable String project;
  private final List<String> backends;
  private final List<String> tags;
  private final Map<String, Object> config;
  private final @Nullable ExperimentConfig experimentConfig;

  private StartOptions(Builder b) {
    this.experimentName = b.experimentName;
    this.project = b.project;
    this.backends = List.copyOf(b.backends);
    this.tags = List.copyOf(b.tags);
    this.config = Collections.unmodifiableMap(new LinkedHashMap<>(b.config));
    this.experimentConfig = b.experimentConfig;
  }

  /** Starts a builder for an experiment (a run) with this name. */
  public static Builder builder(String experimentName) {
    return new Builder(experimentName);
  }

  public String experimentName() {
    return experimentName;
  }

  /** The project, or empty to use the {@code project} setting. */
  public Optional<String> project() {
    return Optional.ofNullable(project);
  }

  /** The backends, or empty to use the {@code backend} setting. */
  public List<String> backends() {
    return backends;
  }

  public List<String> tags() {
    return tags;
  }

  /** Settings for this experiment only, with the keys of the settings file. */
  public Map<String, Object> config() {
    return config;
  }

  /** What to capture, or empty to derive it from the settings. */
  public Optional<ExperimentConfig> experimentConfig() {
    return Optional.ofNullable(experimentConfig);
  }

  @Override
  public String toString() {
    return "StartOptions{experimentName="
        + experimentName
        + ", project="
        + project
        + ", backends="
        + backends
        + ", tags="
        + tags
        + ", config keys="
        + config.keySet()
        + '}';
  }

  /** Builds {@link StartOptions}. */
  public static final class Builder {
    private final String experimentName;
    private @Nullable String project;
    private List<String> backends = List.of();
    private List<String> tags = List.of();
    private Map<String, Object> config = Map.of();
    private @Nullable ExperimentConfig experimentConfig;

    private Builder(String experimentName) {
      this.experimentName = Objects.requireNonNull(experimentName, "experimentName");
    }

    public Builder project(String project) {
      this.project = Objects.requireNonNull(project, "project");
      return this;
    }

    public Builder backends(String... backends) {
      this.backends = List.copyOf(Arrays.asList(backends));
      return this;
    }

    public Builder backends(List<String> backends) {
      this.backends = List.copyOf(backends);
      return this;
    }

    public Builder tags(String... tags) {
      this.tags = List.copyOf(Arrays.asList(tags));
      return this;
    }

    public Builder tags(List<String> tags) {
      this.tags = List.copyOf(tags);
      return this;
    }

    public Builder config(Map<String, ?> config) {
      this.config = new LinkedHashMap<>(config);
      return this;
    }

    public Builder experimentConfig(ExperimentConfig experimentConfig) {
      this.experimentConfig = Objects.requireNonNull(experimentConfig, "experimentConfig");
      return this;
    }

    public StartOptions build() {
      return new StartOptions(this);
    }
  }
}
