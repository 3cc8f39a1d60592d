/**
 * The plugin SPI. A backend is a PF4J plugin JAR whose {@link
 * dev.tracelet.api.plugin.BackendPlugin} extension opens one {@link
 * dev.tracelet.api.plugin.BackendSession} per run. Only API and JDK types cross the boundary; a
 * plugin bundles its own libraries.
 */
@NullMarked
package dev.tracelet.api.plugin;

import org.jspecify.annotations.NullMarked;
