/**
 * Tracelet's logging API: start an {@link dev.tracelet.api.Experiment} with {@link
 * dev.tracelet.api.Tracelet}, log metrics, parameters, tags and artifacts, and let the runtime
 * deliver them to every configured backend without blocking the caller.
 *
 * <p>Nothing in this package performs I/O by itself; the runtime ({@code tracelet-core}) is found
 * with {@link java.util.ServiceLoader} the first time the facade is used.
 */
@NullMarked
package dev.tracelet.api;

import org.jspecify.annotations.NullMarked;
