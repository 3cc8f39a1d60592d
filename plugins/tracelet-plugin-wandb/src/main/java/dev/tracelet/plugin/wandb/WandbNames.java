package dev.tracelet.plugin.wandb;

import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * W&amp;B's naming rules, and how Tracelet's names are mapped onto them. One place, so the session,
 * the docs and the stub agree.
 */
final class WandbNames {
  /** Characters W&amp;B refuses in a run id. */
  static final String RUN_ID_FORBIDDEN = ":;,#?/'";

  /** Characters W&amp;B refuses in a project name. */
  static final String PROJECT_FORBIDDEN = "/\\#?%:";

  static final int PROJECT_MAX_LENGTH = 128;

  /** W&amp;B keeps run tags of 1 to 64 characters. */
  static final int TAG_MAX_LENGTH = 64;

  static final int ARTIFACT_NAME_MAX_LENGTH = 128;

  /** History keys the file stream reserves for itself. */
  static final Set<String> RESERVED_KEYS = Set.of("_step", "_runtime", "_timestamp", "_wandb");

  /** Metrics under this prefix are system figures: they go to the events file, not the history. */
  static final String SYSTEM_PREFIX = "system/";

  /** Tracelet's key/value tags live in the run config under this prefix. */
  static final String TAG_CONFIG_PREFIX = "tags/";

  private WandbNames() {}

  /** Null if {@code id} is a usable W&amp;B run id, else what is wrong with it. */
  static @Nullable String runIdProblem(String id) {
    if (id.isEmpty()) {
      return "it is empty";
    }
    if (!id.strip().equals(id)) {
      return "it starts or ends with white space";
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (RUN_ID_FORBIDDEN.indexOf(c) >= 0) {
        return "it contains '" + c + "' (W&B refuses any of " + RUN_ID_FORBIDDEN + ")";
      }
      if (Character.isISOControl(c)) {
        return "it contains a control character";
      }
    }
    return null;
  }

  /** Null if {@code project} is a usable W&amp;B project name, else what is wrong with it. */
  static @Nullable String projectProblem(String project) {
    if (project.isBlank()) {
      return "it is empty";
    }
    if (project.length() > PROJECT_MAX_LENGTH) {
      return "it is longer than " + PROJECT_MAX_LENGTH + " characters";
    }
    for (int i = 0; i < project.length(); i++) {
      char c = project.charAt(i);
      if (PROJECT_FORBIDDEN.indexOf(c) >= 0) {
        return "it contains '" + c + "' (W&B refuses any of " + PROJECT_FORBIDDEN + ")";
      }
    }
    return null;
  }

  /** Whether a plain run tag fits W&amp;B's limits. */
  static boolean isUsableTag(String tag) {
    return !tag.isBlank() && tag.length() <= TAG_MAX_LENGTH;
  }

  /**
   * An artifact collection name W&amp;B accepts: characters other than letters, digits, {@code _ -
   * .} become {@code -}, and the result is cut to 128 characters.
   */
  static String artifactName(String name) {
    StringBuilder b = new StringBuilder(name.length());
    for (int i = 0; i < name.length() && b.length() < ARTIFACT_NAME_MAX_LENGTH; i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || c == '.';
      b.append(ok ? c : '-');
    }
    return b.toString();
  }

  /** {@code system/cpu_percent} → {@code system.cpu_percent}, W&amp;B's system-metric keys. */
  static String systemKey(String metricName) {
    return "system." + metricName.substring(SYSTEM_PREFIX.length()).replace('/', '.');
  }

  static boolean isSystemMetric(String metricName) {
    return metricName.startsWith(SYSTEM_PREFIX) && metricName.length() > SYSTEM_PREFIX.length();
  }

  static boolean isReserved(String key) {
    return RESERVED_KEYS.contains(key);
  }
}
