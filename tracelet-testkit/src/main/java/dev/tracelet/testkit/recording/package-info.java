/**
 * An in-memory backend that records what the host delivers, for tests.
 *
 * <p>{@link dev.tracelet.testkit.recording.RecordingBackendPlugin} is packaged alone as a PF4J
 * plugin JAR (classifier {@code plugin}), so this package uses only the Tracelet API, PF4J's
 * {@code @Extension} and the JDK: never JUnit, AssertJ or the rest of the testkit.
 */
@NullMarked
package dev.tracelet.testkit.recording;

import org.jspecify.annotations.NullMarked;
