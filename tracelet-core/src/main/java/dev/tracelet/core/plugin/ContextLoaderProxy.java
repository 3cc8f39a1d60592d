package dev.tracelet.core.plugin;

import dev.tracelet.api.store.ModelRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * Wraps an object a plugin returned (a {@code RunStore}) so that every call runs with the plugin's
 * class loader as context loader, on whatever thread the caller uses. The {@link ModelRegistry} it
 * hands out is wrapped the same way.
 */
public final class ContextLoaderProxy {
  private ContextLoaderProxy() {}

  public static <T> T wrap(Class<T> type, T target, ClassLoader loader) {
    Object proxy =
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, method, args) -> {
              if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                  case "equals" -> p == args[0];
                  case "hashCode" -> System.identityHashCode(p);
                  default -> "ContextLoaderProxy[" + target + "]";
                };
              }
              Thread t = Thread.currentThread();
              ClassLoader previous = t.getContextClassLoader();
              t.setContextClassLoader(loader);
              try {
                Object result = method.invoke(target, args);
                if (result instanceof ModelRegistry r
                    && method.getReturnType() == ModelRegistry.class) {
                  return wrap(ModelRegistry.class, r, loader);
                }
                return result;
              } catch (InvocationTargetException e) {
                throw e.getCause();
              } finally {
                t.setContextClassLoader(previous);
              }
            });
    return type.cast(proxy);
  }
}
