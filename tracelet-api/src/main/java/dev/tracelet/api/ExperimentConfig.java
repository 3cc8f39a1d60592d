package dev.tracelet.api;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What one experiment captures besides what the program logs explicitly: the seed's {@code
 * ExperimentConfig}, as an immutable value. Defaults follow the seed (every {@code track*} flag on,
 * automagic off) except that artifacts are on, so that an explicit {@code logArtifact} call simply
 * works. The runtime derives an instance from the settings unless {@link
 * StartOptions.Builder#experimentConfig(ExperimentConfig)} gives one.
 */
public final class ExperimentConfig {
  private static final ExperimentConfig DEFAULTS = builder().build();

  private final boolean trackMetrics;
  private final boolean trackEnvironment;
  private final boolean trackArgs;
  private final boolean trackStdout;
  private final boolean trackCheckpoints;
  private final boolean trackSystemMetrics;
  private final boolean trackGit;
  private final boolean enableAutomagic;
  private final Set<String> automagicFrameworks;
  private final boolean enableArtifacts;
  private final boolean automagicArtifacts;
  private final List<String> artifactWatchDirs;
  private final boolean watchFilesystem;

  private ExperimentConfig(Builder b) {
    this.trackMetrics = b.trackMetrics;
    this.trackEnvironment = b.trackEnvironment;
    this.trackArgs = b.trackArgs;
    this.trackStdout = b.trackStdout;
    this.trackCheckpoints = b.trackCheckpoints;
    this.trackSystemMetrics = b.trackSystemMetrics;
    this.trackGit = b.trackGit;
    this.enableAutomagic = b.enableAutomagic;
    this.automagicFrameworks = Set.copyOf(b.automagicFrameworks);
    this.enableArtifacts = b.enableArtifacts;
    this.automagicArtifacts = b.automagicArtifacts;
    this.artifactWatchDirs = List.copyOf(b.artifactWatchDirs);
    this.watchFilesystem = b.watchFilesystem;
  }

  /** The seed's defaults. */
  public static ExperimentConfig defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from this value. */
  public Builder toBuilder() {
    return new Builder()
        .trackMetrics(trackMetrics)
        .trackEnvironment(trackEnvironment)
        .trackArgs(trackArgs)
        .trackStdout(trackStdout)
        .trackCheckpoints(trackCheckpoints)
        .trackSystemMetrics(trackSystemMetrics)
        .trackGit(trackGit)
        .enableAutomagic(enableAutomagic)
        .automagicFrameworks(automagicFrameworks)
        .enableArtifacts(enableArtifacts)
        .automagicArtifacts(automagicArtifacts)
        .artifactWatchDirs(artifactWatchDirs)
        .watchFilesystem(watchFilesystem);
  }

  /** Whether metrics are delivered at all; off turns {@code logMetric} into a no-op. */
  public boolean trackMetrics() {
    return trackMetrics;
  }

  /** Whether the JVM, OS, host and class path are recorded when the run starts. */
  public boolean trackEnvironment() {
    return trackEnvironment;
  }

  /** Whether the launch arguments are recorded when the run starts. */
  public boolean trackArgs() {
    return trackArgs;
  }

  /** Whether console output is captured for backends that keep it. */
  public boolean trackStdout() {
    return trackStdout;
  }

  /** Whether checkpoint artifacts are kept. */
  public boolean trackCheckpoints() {
    return trackCheckpoints;
  }

  /** Whether CPU, memory and disk figures are sampled while the run is open. */
  public boolean trackSystemMetrics() {
    return trackSystemMetrics;
  }

  /** Whether git commit, branch, dirty state and remote (and the uncommitted diff) are recorded. */
  public boolean trackGit() {
    return trackGit;
  }

  public boolean enableAutomagic() {
    return enableAutomagic;
  }

  public Set<String> automagicFrameworks() {
    return automagicFrameworks;
  }

  public boolean enableArtifacts() {
    return enableArtifacts;
  }

  public boolean automagicArtifacts() {
    return automagicArtifacts;
  }

  public List<String> artifactWatchDirs() {
    return artifactWatchDirs;
  }

  public boolean watchFilesystem() {
    return watchFilesystem;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExperimentConfig c
        && trackMetrics == c.trackMetrics
        && trackEnvironment == c.trackEnvironment
        && trackArgs == c.trackArgs
        && trackStdout == c.trackStdout
        && trackCheckpoints == c.trackCheckpoints
        && trackSystemMetrics == c.trackSystemMetrics
        && trackGit == c.trackGit
        && enableAutomagic == c.enableAutomagic
        && automagicFrameworks.equals(c.automagicFrameworks)
        && enableArtifacts == c.enableArtifacts
        && automagicArtifacts == c.automagicArtifacts
        && artifactWatchDirs.equals(c.artifactWatchDirs)
        && watchFilesystem == c.watchFilesystem;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        trackMetrics,
        trackEnvironment,
        trackArgs,
        trackStdout,
        trackCheckpoints,
        trackSystemMetrics,
        trackGit,
        enableAutomagic,
        automagicFrameworks,
        enableArtifacts,
        automagicArtifacts,
        artifactWatchDirs,
        watchFilesystem);
  }

  @Override
  public String toString() {
    return "ExperimentConfig{trackMetrics="
        + trackMetrics
        + ", trackEnvironment="
        + trackEnvironment
        + ", trackArgs="
        + trackArgs
        + ", trackStdout="
        + trackStdout
        + ", trackCheckpoints="
        + trackCheckpoints
        + ", trackSystemMetrics="
        + trackSystemMetrics
        + ", trackGit="
        + trackGit
        + ", enableAutomagic="
        + enableAutomagic
        + ", automagicFrameworks="
        + automagicFrameworks
        + ", enableArtifacts="
        + enableArtifacts
        + ", automagicArtifacts="
        + automagicArtifacts
        + ", artifactWatchDirs="
        + artifactWatchDirs
        + ", watchFilesystem="
        + watchFilesystem
        + '}';
  }

  /** Builds an {@link ExperimentConfig}; starts from the seed's defaults. */
  public static final class Builder {
    private boolean trackMetrics = true;
    private boolean trackEnvironment = true;
    private boolean trackArgs = true;
    private boolean trackStdout = true;
    private boolean trackCheckpoints = true;
    private boolean trackSystemMetrics = true;
    private boolean trackGit = true;
    private boolean enableAutomagic = false;
    private Set<String> automagicFrameworks = Set.of();
    private boolean enableArtifacts = true;
    private boolean automagicArtifacts = false;
    private List<String> artifactWatchDirs = List.of();
    private boolean watchFilesystem = false;

    private Builder() {}

    public Builder trackMetrics(boolean v) {
      trackMetrics = v;
      return this;
    }

    public Builder trackEnvironment(boolean v) {
      trackEnvironment = v;
      return this;
    }

    public Builder trackArgs(boolean v) {
      trackArgs = v;
      return this;
    }

    public Builder trackStdout(boolean v) {
      trackStdout = v;
      return this;
    }

    public Builder trackCheckpoints(boolean v) {
      trackCheckpoints = v;
      return this;
    }

    public Builder trackSystemMetrics(boolean v) {
      trackSystemMetrics = v;
      return this;
    }

    public Builder trackGit(boolean v) {
      trackGit = v;
      return this;
    }

    public Builder enableAutomagic(boolean v) {
      enableAutomagic = v;
      return this;
    }

    public Builder automagicFrameworks(Set<String> v) {
      automagicFrameworks = Set.copyOf(v);
      return this;
    }

    public Builder enableArtifacts(boolean v) {
      enableArtifacts = v;
      return this;
    }

    public Builder automagicArtifacts(boolean v) {
      automagicArtifacts = v;
      return this;
    }

    public Builder artifactWatchDirs(List<String> v) {
      artifactWatchDirs = List.copyOf(v);
      return this;
    }

    public Builder watchFilesystem(boolean v) {
      watchFilesystem = v;
      return this;
    }

    public ExperimentConfig build() {
      return new ExperimentConfig(this);
    }
  }
}
