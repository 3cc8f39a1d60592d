package dev.tracelet.core.runtime;

import dev.tracelet.api.Hyperparameter;
import dev.tracelet.api.artifact.TraceletArtifact;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads hyperparameters, model and data-set descriptions out of plain Java objects, explicitly:
 * unlike the Python original, nothing is guessed from the caller's stack frame.
 */
final class Capture {
  private static final int FINGERPRINT_LIMIT = 1_000_000;

  private Capture() {}

  /**
   * A record's components, a {@code Map}'s entries, an object's {@link Hyperparameter} fields, or a
   * bean's getter properties, in that order of preference.
   */
  static Map<String, Object> hyperparams(Object source) {
    if (source instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), v));
      return out;
    }
    Class<?> type = source.getClass();
    if (type.isRecord()) {
      return recordComponents(source, type);
    }
    Map<String, Object> annotated = annotatedFields(source, type);
    if (!annotated.isEmpty()) {
      return annotated;
    }
    return beanProperties(source, type, false);
  }

  private static Map<String, Object> recordComponents(Object source, Class<?> type) {
    RecordComponent[] components = type.getRecordComponents();
    boolean anyAnnotated = false;
    for (RecordComponent c : components) {
      anyAnnotated |= c.isAnnotationPresent(Hyperparameter.class);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (RecordComponent c : components) {
      Hyperparameter h = c.getAnnotation(Hyperparameter.class);
      if (anyAnnotated && h == null) {
        continue;
      }
      String name = h == null || h.value().isEmpty() ? c.getName() : h.value();
      try {
        Method accessor = c.getAccessor();
        accessor.setAccessible(true);
        out.put(name, accessor.invoke(source));
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new IllegalArgumentException(
            "Cannot read record component '" + c.getName() + "' of " + type.getName() + ": " + e,
            e);
      }
    }
    return out;
  }

  private static Map<String, Object> annotatedFields(Object source, Class<?> type) {
    Map<String, Object> out = new LinkedHashMap<>();
    List<Class<?>> chain = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      chain.add(0, c);
    }
    for (Class<?> c : chain) {
      for (Field f : c.getDeclaredFields()) {
        Hyperparameter h = f.getAnnotation(Hyperparameter.class);
        if (h == null || Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        String name = h.value().isEmpty() ? f.getName() : h.value();
        try {
          f.setAccessible(true);
          out.put(name, f.get(source));
        } catch (ReflectiveOperationException | RuntimeException e) {
          throw new IllegalArgumentException(
              "Cannot read field '"
                  + f.getName()
                  + "' of "
                  + type.getName()
                  + " (open its package to Tracelet, or make it accessible): "
                  + e,
              e);
        }
      }
    }
    return out;
  }

  private static Map<String, Object> beanProperties(
      Object source, Class<?> type, boolean scalarsOnly) {
    Map<String, Object> out = new java.util.TreeMap<>();
    for (Method m : type.getMethods()) {
      if (m.getParameterCount() != 0
          || Modifier.isStatic(m.getModifiers())
          || m.getDeclaringClass() == Object.class
          || m.getReturnType() == void.class) {
        continue;
      }
      String n = m.getName();
      String prop;
      if (n.startsWith("get") && n.length() > 3) {
        prop = Character.toLowerCase(n.charAt(3)) + n.substring(4);
      } else if (n.startsWith("is") && n.length() > 2 && m.getReturnType() == boolean.class) {
        prop = Character.toLowerCase(n.charAt(2)) + n.substring(3);
      } else {
        continue;
      }
      if (scalarsOnly && !isScalar(m.getReturnType())) {
        continue;
      }
      try {
        Object v = m.invoke(source);
        if (v != null) {
          out.put(prop, v);
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        // A getter that throws or is not accessible is not a hyperparameter; skip it.
      }
    }
    return new LinkedHashMap<>(out);
  }

  private static boolean isScalar(Class<?> t) {
    return t.isPrimitive()
        || Number.class.isAssignableFrom(t)
        || t == String.class
        || t == Boolean.class
        || t.isEnum();
  }

  /** The model's class, file size or serialised size, and its scalar properties. */
  static Map<String, Object> model(Object model) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model.class", model.getClass().getName());
    if (model instanceof Path p) {
      out.put("model.file", p.toString());
      try {
        out.put("model.size_bytes", Files.size(p));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read model file " + p, e);
      }
      return out;
    }
    if (model instanceof Serializable s) {
      out.put("model.serialized_bytes", serializedSize(s));
    }
    Map<String, Object> props =
        model.getClass().isRecord()
            ? recordComponents(model, model.getClass())
            : beanProperties(model, model.getClass(), true);
    props.forEach(
        (k, v) -> {
          if (v != null && isScalar(v.getClass())) {
            out.put("model." + k, v);
          }
        });
    return out;
  }

  /** Size, element type and a SHA-256 fingerprint of a collection, array, map or file. */
  static Map<String, Object> dataset(Object dataset) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("dataset.class", dataset.getClass().getName());
    if (dataset instanceof Path p) {
      out.put("dataset.path", p.toString());
      try {
        out.put("dataset.size_bytes", Files.size(p));
        out.put("dataset.sha256", TraceletArtifact.sha256(p));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read data set file " + p, e);
      }
      return out;
    }
    List<Object> items = new ArrayList<>();
    if (dataset instanceof Collection<?> c) {
      out.put("dataset.size", c.size());
      items.addAll(c.size() <= FINGERPRINT_LIMIT ? c : List.of());
    } else if (dataset instanceof Map<?, ?> m) {
      out.put("dataset.size", m.size());
      if (m.size() <= FINGERPRINT_LIMIT) {
        items.addAll(m.entrySet());
      }
    } else if (dataset.getClass().isArray()) {
      int n = Array.getLength(dataset);
      out.put("dataset.size", n);
      out.put("dataset.element_class", dataset.getClass().getComponentType().getName());
      if (n <= FINGERPRINT_LIMIT) {
        for (int i = 0; i < n; i++) {
          items.add(Array.get(dataset, i));
        }
      }
    } else {
      return out;
    }
    items.stream()
        .filter(java.util.Objects::nonNull)
        .findFirst()
        .ifPresent(first -> out.putIfAbsent("dataset.element_class", first.getClass().getName()));
    if (!items.isEmpty()) {
      out.put("dataset.fingerprint", fingerprint(items));
    }
    return out;
  }

  private static String fingerprint(List<Object> items) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Object o : items) {
        Object v = o;
        if (v != null && v.getClass().isArray()) {
          int n = Array.getLength(v);
          StringBuilder b = new StringBuilder();
          for (int i = 0; i < n; i++) {
            b.append(Array.get(v, i)).append(',');
          }
          v = b;
        }
        md.update(String.valueOf(v).getBytes(StandardCharsets.UTF_8));
        md.update((byte) '\n');
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long serializedSize(Serializable s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(s);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return bytes.size();
  }
}
