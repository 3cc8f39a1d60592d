/**
 * The Weights &amp; Biases backend: runs through GraphQL {@code UpsertBucket}, metric history,
 * summary and console output through the run's file stream, artifacts through W&amp;B's artifact
 * mutations and signed uploads, and an offline mode that keeps everything in a local journal. Only
 * {@link dev.tracelet.plugin.wandb.WandbBackendPlugin} is public.
 */
@NullMarked
package dev.tracelet.plugin.wandb;

import org.jspecify.annotations.NullMarked;
