/**
 * The backend compatibility kit: {@link dev.tracelet.testkit.BackendCompatibilityKit}, an abstract
 * JUnit 5 suite every backend's test extends, and {@link dev.tracelet.testkit.TestBackendContext},
 * a {@link dev.tracelet.api.plugin.BackendContext} for tests.
 */
@NullMarked
package dev.tracelet.testkit;

import org.jspecify.annotations.NullMarked;
