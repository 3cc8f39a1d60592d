package dev.tracelet.api.store;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Registered models and their versions. Registering copies the run's artifact, so a registered
 * version never changes when the run's files do. Versions are {@code "1"}, {@code "2"}, … and are
 * never reused. Where a version is asked for, {@code "latest"} and any alias are accepted.
 */
public interface ModelRegistry {
  /** Registers a run's artifact as the next version of {@code modelName}; returns the version. */
  String registerModel(
      String runId, String artifactName, String modelName, Map<String, String> tags);

  List<String> listRegisteredModels();

  /** Fields: version, registered_at; {@link Sort#none()} lists the newest first. */
  List<ModelVersion> modelVersions(String modelName, Sort sort);

  Map<String, String> modelTags(String modelName, String version);

  void addModelTags(String modelName, String version, Map<String, String> tags);

  /** Points {@code alias} at {@code version}, moving it if it pointed elsewhere. */
  void setAlias(String modelName, String alias, String version);

  /** A local path to the registered copy of the model's file (or folder). */
  Path loadRegisteredModel(String modelName, String version);

  /** Removes tags from a version; absent keys are ignored. */
  default void removeModelTags(
      String modelName, String version, java.util.Collection<String> keys) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot remove tags");
  }

  /** Removes an alias; removing an absent alias does nothing. */
  default void deleteAlias(String modelName, String alias) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot delete aliases");
  }

  /** Deletes one version; its number is never reused. */
  default void deleteModelVersion(String modelName, String version) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot delete versions");
  }

  /** Deletes a registered model and all its versions. */
  default void deleteModel(String modelName) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot delete models");
  }
}
