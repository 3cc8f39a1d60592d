/**
 * The MLflow backend: runs, batched metrics, parameters and tags over MLflow's REST API, artifacts
 * through the {@code mlflow-artifacts} proxy, and the read side (runs, metric history, model
 * registry) for {@code Tracelet.store("mlflow")}. Only {@link
 * dev.tracelet.plugin.mlflow.MlflowBackendPlugin} is public.
 */
@NullMarked
package dev.tracelet.plugin.mlflow;

import org.jspecify.annotations.NullMarked;
