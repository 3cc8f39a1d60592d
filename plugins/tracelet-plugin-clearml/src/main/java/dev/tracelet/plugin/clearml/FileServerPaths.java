package dev.tracelet.plugin.clearml;

import java.util.ArrayList;
import java.util.List;

/**
 * Where artifacts go on the file server, in the SDK's layout: {@code <project>/<task name>.<task
 * id>/artifacts/<artifact>/<path in artifact>}.
 *
 * <p>Project and task names are free text, so each of their segments is reduced to letters, digits
 * and {@code ._+@=,-} and space (anything else becomes {@code _}), never {@code .} or {@code ..},
 * at most 250 characters (the task folder at most 128), so a name can neither escape the task's
 * folder nor break the multipart field that carries the path. Artifact names and paths are already
 * safe (Tracelet's {@code ArtifactPaths} rule).
 */
final class FileServerPaths {
  static final int MAX_SEGMENT = 250;
  static final int MAX_TASK_FOLDER = 128;

  private FileServerPaths() {}

  /** {@code <project>/<task name>.<task id>/artifacts}. */
  static String artifactsFolder(String project, String taskName, String taskId) {
    List<String> segments = new ArrayList<>();
    for (String part : project.split("/")) {
      if (!part.isBlank()) {
        segments.add(segment(part, MAX_SEGMENT));
      }
    }
    if (segments.isEmpty()) {
      segments.add("_");
    }
    String suffix = "." + segment(taskId, MAX_SEGMENT);
    int room = Math.max(1, MAX_TASK_FOLDER - suffix.length());
    segments.add(segment(taskName, room) + suffix);
    segments.add("artifacts");
    return String.join("/", segments);
  }

  static String segment(String raw, int max) {
    StringBuilder b = new StringBuilder(Math.min(raw.length(), max));
    String s = raw.strip();
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "._+@=,- ".indexOf(c) >= 0;
      b.append(ok ? c : '_');
    }
    String out = b.toString().strip();
    if (out.isEmpty() || out.equals(".") || out.equals("..")) {
      return "_";
    }
    return out;
  }
}
