package dev.tracelet.plugin.local;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The process that owns a running run: host, boot, pid and the instant the process started. Stored
 * in the run's row so that any later reader on the same host can tell whether the writer is still
 * alive: a pid can be reused, but not together with the same start instant, and after a reboot
 * (another boot id) nothing of the old boot is alive.
 *
 * @param host the host name
 * @param bootId Linux's boot id, or null where there is none
 * @param pid the process id
 * @param startMillis the process's start, epoch ms, or null if the platform does not say
 */
record ProcessOwner(String host, @Nullable String bootId, long pid, @Nullable Long startMillis) {
  /** Start instants are derived from clock ticks; two readings of one process may differ a bit. */
  private static final long START_TOLERANCE_MS = 1_000;

  private static final ProcessOwner CURRENT = detect();

  static ProcessOwner current() {
    return CURRENT;
  }

  private static ProcessOwner detect() {
    ProcessHandle self = ProcessHandle.current();
    Long start = self.info().startInstant().map(Instant::toEpochMilli).orElse(null);
    return new ProcessOwner(hostName(), readBootId(), self.pid(), start);
  }

  /** What a reader on this host can say about an owner recorded in the store. */
  enum Liveness {
    ALIVE,
    DEAD,
    /** Another host: nothing can be said from here. */
    UNKNOWN
  }

  /** Whether the process recorded as {@code owner} is still running, judged from this process. */
  static Liveness liveness(
      @Nullable String host, @Nullable String bootId, long pid, @Nullable Long startMillis) {
    ProcessOwner here = CURRENT;
    if (host == null || !host.equals(here.host)) {
      return Liveness.UNKNOWN;
    }
    if (bootId != null && here.bootId != null && !bootId.equals(here.bootId)) {
      return Liveness.DEAD;
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return Liveness.DEAD;
    }
    if (startMillis != null) {
      Optional<Instant> start = handle.get().info().startInstant();
      if (start.isPresent()
          && Math.abs(start.get().toEpochMilli() - startMillis) > START_TOLERANCE_MS) {
        return Liveness.DEAD; // the pid now belongs to another process
      }
    }
    return Liveness.ALIVE;
  }

  /**
   * The host name every process on this machine reads alike: {@code /etc/hostname} first (a shell
   * variable such as {@code HOSTNAME} is exported by some launchers and not others).
   */
  private static String hostName() {
    try {
      String etc = Files.readString(Path.of("/etc/hostname")).strip();
      if (!etc.isEmpty()) {
        return etc;
      }
    } catch (IOException | RuntimeException ignored) {
      // Not Linux, or not readable: ask the platform below.
    }
    String windows = System.getenv("COMPUTERNAME");
    if (windows != null && !windows.isBlank()) {
      return windows.strip();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  private static @Nullable String readBootId() {
    try {
      String id = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
      return id.isEmpty() ? null : id;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
