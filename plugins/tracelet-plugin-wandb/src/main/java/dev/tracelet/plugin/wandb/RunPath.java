package dev.tracelet.plugin.wandb;

/**
 * Where a run lives on W&amp;B: {@code entity/project/runName}, as the file-stream URL names it.
 *
 * @param entity the user or team
 * @param project the project name
 * @param runName the run id (W&amp;B's {@code name})
 */
record RunPath(String entity, String project, String runName) {
  @Override
  public String toString() {
    return entity + "/" + project + "/" + runName;
  }
}
