package dev.tracelet.core.plugin;

import java.util.function.Supplier;

/**
 * Runs code with a plugin's class loader as the thread's context class loader, restoring the
 * previous one after: libraries inside plugins ({@code ServiceLoader}, Jackson modules, JDBC) look
 * up classes through it.
 */
public final class PluginCalls {
  private PluginCalls() {}

  public static <T> T withLoader(ClassLoader loader, Supplier<T> call) {
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    try {
      return call.get();
    } finally {
      t.setContextClassLoader(previous);
    }
  }

  public static void runWithLoader(ClassLoader loader, Runnable call) {
    withLoader(
        loader,
        () -> {
          call.run();
          return null;
        });
  }
}
