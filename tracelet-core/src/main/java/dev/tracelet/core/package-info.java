/**
 * Tracelet's runtime: {@link dev.tracelet.core.TraceletEngine} wires settings, the plugin host and
 * the dispatcher; {@code Tracelet} reaches it through {@link
 * dev.tracelet.core.runtime.CoreRuntime}, which {@link java.util.ServiceLoader} finds.
 */
@NullMarked
package dev.tracelet.core;

import org.jspecify.annotations.NullMarked;
