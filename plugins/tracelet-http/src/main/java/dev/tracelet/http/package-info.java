/**
 * HTTP plumbing shared by Tracelet's remote backends: an OkHttp client with timeouts, TLS options
 * and authentication ({@link dev.tracelet.http.ManagedHttpClient}), a retrying caller with
 * exponential backoff, jitter and {@code Retry-After} ({@link dev.tracelet.http.RetryingCaller}), a
 * Jackson codec ({@link dev.tracelet.http.JsonCodec}) and secret-safe error messages.
 *
 * <p>Each HTTP plugin bundles (and relocates) its own copy of this library together with OkHttp and
 * Jackson, so no type from here ever crosses the plugin boundary.
 */
@NullMarked
package dev.tracelet.http;

import org.jspecify.annotations.NullMarked;
