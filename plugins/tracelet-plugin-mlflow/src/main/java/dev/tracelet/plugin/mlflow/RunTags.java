package dev.tracelet.plugin.mlflow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tags a new MLflow run starts with. A Tracelet tag {@code "k=v"} becomes MLflow tag {@code k}
 * with value {@code v}; failing an {@code '='}, {@code "k:v"} is split at its first {@code ':'}; a
 * bare tag {@code "k"} becomes tag {@code k} with an empty value. The whole list is also kept,
 * comma-separated, in {@code tracelet.tags}.
 */
final class RunTags {
  private RunTags() {}

  /** The split of one Tracelet tag into an MLflow key and value. */
  static Map.Entry<String, String> split(String tag) {
    int eq = tag.indexOf('=');
    int at = eq >= 0 ? eq : tag.indexOf(':');
    if (at > 0) {
      return Map.entry(tag.substring(0, at).strip(), tag.substring(at + 1).strip());
    }
    return Map.entry(tag.strip(), "");
  }

  static Map<String, String> forNewRun(
      String runName,
      String traceletRunId,
      List<String> tags,
      String user,
      String sourceName,
      java.util.function.Consumer<String> warn) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String tag : tags) {
      Map.Entry<String, String> kv = split(tag);
      Optional<String> problem = MlflowNames.keyProblem("tag", kv.getKey());
      if (problem.isPresent()) {
        warn.accept(
            problem.get()
                + "; tag '"
                + MlflowNames.printable(tag)
                + "' is kept only in tracelet.tags");
        continue;
      }
      out.put(kv.getKey(), MlflowNames.truncate(kv.getValue(), MlflowNames.MAX_TAG_VALUE_LENGTH));
    }
    if (!tags.isEmpty()) {
      out.put(
          "tracelet.tags",
          MlflowNames.truncate(String.join(",", tags), MlflowNames.MAX_TAG_VALUE_LENGTH));
    }
    // System tags last, so that a user's tag can never overwrite them.
    out.put("mlflow.runName", MlflowNames.truncate(runName, MlflowNames.MAX_TAG_VALUE_LENGTH));
    out.put("mlflow.user", user);
    out.put(
        "mlflow.source.name", MlflowNames.truncate(sourceName, MlflowNames.MAX_TAG_VALUE_LENGTH));
    out.put("mlflow.source.type", "LOCAL");
    out.put(MlflowTracking.TRACELET_RUN_ID_TAG, traceletRunId);
    return out;
  }

  /** The program that runs: the main class or JAR from the launcher's command line. */
  static String sourceName() {
    String command = System.getProperty("sun.java.command", "");
    String first = command.isBlank() ? "" : command.strip().split("\\s+")[0];
    if (!first.isEmpty()) {
      return first;
    }
    return ProcessHandle.current().info().command().orElse("java");
  }
}
