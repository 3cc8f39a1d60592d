package dev.tracelet.plugin.clearml;

import dev.tracelet.http.Sleeper;
import java.time.Clock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What a session takes from its surroundings, so tests can replace it: the clock (token renewal,
 * ping schedule), how to wait between retries, how pings are scheduled, and the JVM's command line
 * (for the {@code Args} section).
 */
record SessionEnvironment(
    Clock clock,
    Sleeper sleeper,
    PingTimer.Factory pingTimers,
    Supplier<@Nullable String> commandLine) {

  static SessionEnvironment system() {
    return new SessionEnvironment(
        Clock.systemUTC(),
        Sleeper.SYSTEM,
        PingTimer.SCHEDULED,
        () -> System.getProperty("sun.java.command"));
  }
}
