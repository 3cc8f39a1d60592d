package dev.tracelet.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code tracelet plugins verify} found in one plugin JAR.
 *
 * @param jar the file
 * @param id its {@code Plugin-Id}, or empty
 * @param version its {@code Plugin-Version}, or empty
 * @param requires its {@code Plugin-Requires}, or empty (any Tracelet)
 * @param extensions the classes its {@code META-INF/extensions.idx} names
 * @param sha256 the file's SHA-256 (lower-case hex), or empty if it could not be read
 * @param allowList what {@code plugins_allowed_sha256} says about it
 * @param problems every rule it breaks, each a sentence saying what to do; empty when it passes
 */
record PluginJarReport(
    Path jar,
    String id,
    String version,
    String requires,
    List<String> extensions,
    String sha256,
    AllowList allowList,
    List<String> problems) {

  /** Where the JAR stands with the {@code plugins_allowed_sha256} setting. */
  enum AllowList {
    /** No allow-list is set: every JAR may load. */
    NOT_SET,
    /** Its digest is in the list. */
    ALLOWED,
    /** Its digest is not in the list: the host refuses to load it. */
    NOT_ALLOWED
  }

  PluginJarReport {
    extensions = List.copyOf(extensions);
    problems = List.copyOf(problems);
  }

  boolean ok() {
    return problems.isEmpty();
  }
}
