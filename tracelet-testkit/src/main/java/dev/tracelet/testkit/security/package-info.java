/**
 * Assertions for a backend's security checks, without a mock server: {@link
 * dev.tracelet.testkit.security.SecretScan} proves a secret appears in none of the texts a user
 * could see (log, exceptions, settings printouts, files), and {@link
 * dev.tracelet.testkit.security.LoopbackProbe} proves a test server listens on the loopback
 * interface only.
 */
@NullMarked
package dev.tracelet.testkit.security;

import org.jspecify.annotations.NullMarked;
