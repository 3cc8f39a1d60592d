package dev.tracelet.http;

import java.lang.reflect.Field;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import okhttp3.internal.concurrent.TaskRunner;

/**
 * OkHttp runs connection-pool clean-up on one process-wide {@link TaskRunner} whose idle threads
 * linger 60 s. While they live, they pin the class loader that loaded OkHttp — a plugin's, since
 * each plugin bundles its own copy. When no client of this copy is open, the keep-alive is cut to a
 * moment so the threads go as soon as they are idle; the next client restores it.
 */
final class OkHttpThreads {
  private static final long NORMAL_KEEP_ALIVE_MS = 60_000;
  private static final long RELEASE_KEEP_ALIVE_MS = 1;
  private static int openClients;

  private OkHttpThreads() {}

  static synchronized void clientOpened() {
    if (openClients++ == 0) {
      setKeepAlive(NORMAL_KEEP_ALIVE_MS);
    }
  }

  static synchronized void clientClosed() {
    if (--openClients == 0) {
      setKeepAlive(RELEASE_KEEP_ALIVE_MS);
    }
  }

  static synchronized int openClients() {
    return openClients;
  }

  private static void setKeepAlive(long millis) {
    ThreadPoolExecutor executor = taskRunnerExecutor();
    if (executor != null) {
      executor.setKeepAliveTime(millis, TimeUnit.MILLISECONDS);
    }
  }

  /** OkHttp's internal executor, or null if a future OkHttp moved it (then threads just linger). */
  private static ThreadPoolExecutor taskRunnerExecutor() {
    try {
      Object backend = TaskRunner.INSTANCE.getBackend();
      Field f = backend.getClass().getDeclaredField("executor");
      f.setAccessible(true);
      return f.get(backend) instanceof ThreadPoolExecutor e ? e : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
