package dev.tracelet.testkit;

import dev.tracelet.api.ExperimentConfig;
import dev.tracelet.api.TraceletVersion;
import dev.tracelet.api.plugin.BackendContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An immutable {@link BackendContext} for tests, made with {@link #builder(Path)}.
 *
 * <p>Defaults: a random 32-hex-digit run id, experiment name {@code "test-run"}, project {@code
 * "default"}, no tags, the start time taken when {@link Builder#build()} runs, an {@link
 * ExperimentConfig} with {@code trackGit} and {@code trackEnvironment} off (so a backend under test
 * never scans the machine), no settings, a logger forwarding to {@link System#getLogger(String)},
 * not resumed, and {@link TraceletVersion#apiVersion()} as the host version.
 *
 * <p>{@link #toString()} names the settings' keys only, never their values (they may be secrets).
 */
public final class TestBackendContext implements BackendContext {
  private final String runId;
  private final String experimentName;
  private final String project;
  private final List<String> tags;
  private final Instant startTime;
  private final ExperimentConfig experimentConfig;
  private final Map<String, String> config;
  private final Path scratchDir;
  private final System.Logger logger;
  private final boolean resumed;
  private final String hostVersion;

  private TestBackendContext(Builder b) {
    this.runId = b.runId;
    this.experimentName = b.experimentName;
    this.project = b.project;
    this.tags = b.tags;
    this.startTime = b.startTime == null ? Instant.now() : b.startTime;
    this.experimentConfig = b.experimentConfig;
    this.config = b.config;
    this.scratchDir = b.scratchDir;
    this.logger = b.logger;
    this.resumed = b.resumed;
    this.hostVersion = b.hostVersion;
  }

  /**
   * A builder with the defaults above.
   *
   * @param scratchDir an existing directory the backend may write to, typically a JUnit
   *     {@code @TempDir}
   * @throws IllegalArgumentException if it is not an existing directory
   */
  public static Builder builder(Path scratchDir) {
    return new Builder(scratchDir);
  }

  /** A builder starting from this context, with the same run id. */
  public Builder toBuilder() {
    return new Builder(scratchDir)
        .runId(runId)
        .experimentName(experimentName)
        .project(project)
        .tags(tags)
        .startTime(startTime)
        .experimentConfig(experimentConfig)
        .config(config)
        .logger(logger)
        .resumed(resumed)
        .hostVersion(hostVersion);
  }

  /** A fresh run id as the defaults make them: a UUID's 32 hex digits, without dashes. */
  public static String newRunId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /** The {@link ExperimentConfig} tests get by default: the seed's, minus git and environment. */
  public static ExperimentConfig quietExperimentConfig() {
    return ExperimentConfig.builder().trackGit(false).trackEnvironment(false).build();
  }

  @Override
  public String runId() {
    return runId;
  }

  @Override
  public String experimentName() {
    return experimentName;
  }

  @Override
  public String project() {
    return project;
  }

  @Override
  public List<String> tags() {
    return tags;
  }

  @Override
  public Instant startTime() {
    return startTime;
  }

  @Override
  public ExperimentConfig experimentConfig() {
    return experimentConfig;
  }

  @Override
  public boolean resumed() {
    return resumed;
  }

  @Override
  public Map<String, String> config() {
    return config;
  }

  @Override
  public System.Logger logger() {
    return logger;
  }

  @Override
  public Path scratchDir() {
    return scratchDir;
  }

  @Override
  public String hostVersion() {
    return hostVersion;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TestBackendContext c
        && runId.equals(c.runId)
        && experimentName.equals(c.experimentName)
        && project.equals(c.project)
        && tags.equals(c.tags)
        && startTime.equals(c.startTime)
        && experimentConfig.equals(c.experimentConfig)
        && config.equals(c.config)
        && scratchDir.equals(c.scratchDir)
        && logger.equals(c.logger)
        && resumed == c.resumed
        && hostVersion.equals(c.hostVersion);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        runId,
        experimentName,
        project,
        tags,
        startTime,
        experimentConfig,
        config,
        scratchDir,
        logger,
        resumed,
        hostVersion);
  }

  @Override
  public String toString() {
    return "TestBackendContext{runId="
        + runId
        + ", experimentName="
        + experimentName
        + ", project="
        + project
        + ", tags="
        + tags
        + ", startTime="
        + startTime
        + ", configKeys="
        + new TreeSet<>(config.keySet())
        + ", scratchDir="
        + scratchDir
        + ", resumed="
        + resumed
        + ", hostVersion="
        + hostVersion
        + '}';
  }

  /** Builds a {@link TestBackendContext}; every setter rejects null. */
  public static final class Builder {
    private static final System.Logger DEFAULT_LOGGER =
        System.getLogger(TestBackendContext.class.getName());

    private final Path scratchDir;
    private String runId = newRunId();
    private String experimentName = "test-run";
    private String project = "default";
    private List<String> tags = List.of();
    private @Nullable Instant startTime;
    private ExperimentConfig experimentConfig = quietExperimentConfig();
    private Map<String, String> config = Map.of();
    private System.Logger logger = DEFAULT_LOGGER;
    private boolean resumed;
    private String hostVersion = TraceletVersion.apiVersion();

    private Builder(Path scratchDir) {
      Objects.requireNonNull(scratchDir, "scratchDir");
      if (!Files.isDirectory(scratchDir)) {
        throw new IllegalArgumentException(
            "scratchDir "
                + scratchDir
                + " is not an existing directory; pass one, such as a JUnit @TempDir");
      }
      this.scratchDir = scratchDir;
    }

    /** Sets the run id; any non-blank string, though real ones are 32 hex digits. */
    public Builder runId(String v) {
      requireNonBlank(v, "runId");
      runId = v;
      return this;
    }

    public Builder experimentName(String v) {
      requireNonBlank(v, "experimentName");
      experimentName = v;
      return this;
    }

    public Builder project(String v) {
      requireNonBlank(v, "project");
      project = v;
      return this;
    }

    public Builder tags(List<String> v) {
      tags = List.copyOf(v);
      return this;
    }

    /** Fixes the start time; by default it is taken when {@link #build()} runs. */
    public Builder startTime(Instant v) {
      startTime = Objects.requireNonNull(v, "startTime");
      return this;
    }

    public Builder experimentConfig(ExperimentConfig v) {
      experimentConfig = Objects.requireNonNull(v, "experimentConfig");
      return this;
    }

    /** The backend's own settings, without their {@code <backend>.} prefix. */
    public Builder config(Map<String, String> v) {
      config = Map.copyOf(v);
      return this;
    }

    public Builder logger(System.Logger v) {
      logger = Objects.requireNonNull(v, "logger");
      return this;
    }

    public Builder resumed(boolean v) {
      resumed = v;
      return this;
    }

    public Builder hostVersion(String v) {
      requireNonBlank(v, "hostVersion");
      hostVersion = v;
      return this;
    }

    public TestBackendContext build() {
      return new TestBackendContext(this);
    }

    private static void requireNonBlank(String v, String what) {
      Objects.requireNonNull(v, what);
      if (v.isBlank()) {
        throw new IllegalArgumentException(what + " must not be blank");
      }
    }
  }
}
