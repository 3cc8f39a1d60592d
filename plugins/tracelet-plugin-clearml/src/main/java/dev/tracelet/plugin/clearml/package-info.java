/**
 * The {@code clearml} backend: one ClearML training task per Tracelet run, with hyperparameters,
 * scalar events sent as json-lines through {@code events.add_batch}, and artifacts uploaded to the
 * ClearML file server and registered on the task. Everything here except {@link
 * dev.tracelet.plugin.clearml.ClearmlBackendPlugin} is private to the plugin.
 */
@NullMarked
package dev.tracelet.plugin.clearml;

import org.jspecify.annotations.NullMarked;
