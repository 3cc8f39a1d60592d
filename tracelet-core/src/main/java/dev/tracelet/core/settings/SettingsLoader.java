package dev.tracelet.core.settings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.TraceletSettings;
import dev.tracelet.api.plugin.ConfigKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Resolves settings from every source in order of precedence, lowest first: built-in defaults, the
 * settings file, the environment (vendor variables such as {@code MLFLOW_TRACKING_URI}, then {@code
 * TRACELET_*}), system properties ({@code tracelet.*}), and the {@code config} map given to {@code
 * startLogging}. Every source is parsed alike: keys are case-insensitive, {@code -} equals {@code
 * _}, and a backend's key may be written {@code mlflow.tracking_uri} or in the seed's flat spelling
 * {@code mlflow_tracking_uri}.
 *
 * <p>An unknown key or a bad value fails with {@link ConfigurationException} naming the key, the
 * value (masked when secret), where it came from and the accepted form.
 */
public final class SettingsLoader {
  /** Variables that configure the launcher or the loader itself, not a setting. */
  private static final List<String> RESERVED_ENV =
      List.of("TRACELET_CONFIG", "TRACELET_HOME", "TRACELET_OPTS", "TRACELET_JAVA_OPTS");

  /** Prefix kept for integration-test harnesses ({@code TRACELET_IT_MLFLOW_URI}). */
  private static final String RESERVED_ENV_PREFIX = "TRACELET_IT_";

  private static final List<String> RESERVED_PROPS = List.of("tracelet.home", "tracelet.config");
  private static final List<String> RESERVED_PROP_PREFIXES =
      List.of("tracelet.test.", "tracelet.it.");

  private final SettingsSources sources;

  public SettingsLoader(SettingsSources sources) {
    this.sources = sources;
  }

  /**
   * Loads the settings.
   *
   * @param backendKeys the settings each installed backend declares, by backend name; a backend
   *     that declares none accepts any key under its prefix
   * @param overrides the {@code config} map of {@code startLogging}, highest precedence
   */
  public ResolvedSettings load(Map<String, List<ConfigKey>> backendKeys, Map<String, ?> overrides) {
    KeyCanonicalizer keys = new KeyCanonicalizer(backendKeys);
    Map<String, RawSetting> merged = new LinkedHashMap<>();
    Path file = findSettingsFile();
    if (file != null) {
      Origin origin = new Origin(Origin.Kind.FILE, "settings file " + file);
      readFile(file).forEach((k, v) -> put(merged, keys, k, v, origin));
    }
    // Vendor variables first, so TRACELET_<BACKEND>_<KEY> wins when both are set.
    backendKeys.forEach(
        (backend, declared) -> {
          for (ConfigKey key : declared) {
            for (String var : key.envVars()) {
              String v = sources.environment().get(var);
              if (v != null) {
                merged.put(
                    backend + "." + key.name(),
                    new RawSetting(
                        backend + "." + key.name(),
                        v,
                        new Origin(Origin.Kind.ENVIRONMENT, "environment variable " + var)));
                break;
              }
            }
          }
        });
    new TreeMap<>(sources.environment())
        .forEach(
            (var, v) -> {
              if (var.startsWith("TRACELET_")
                  && !RESERVED_ENV.contains(var)
                  && !var.startsWith(RESERVED_ENV_PREFIX)) {
                put(
                    merged,
                    keys,
                    var.substring("TRACELET_".length()),
                    v,
                    new Origin(Origin.Kind.ENVIRONMENT, "environment variable " + var));
              }
            });
    new TreeMap<>(sources.systemProperties())
        .forEach(
            (name, v) -> {
              if (name.startsWith("tracelet.") && !reservedProperty(name)) {
                put(
                    merged,
                    keys,
                    name.substring("tracelet.".length()),
                    v,
                    new Origin(Origin.Kind.SYSTEM_PROPERTY, "system property " + name));
              }
            });
    overrides.forEach(
        (k, v) ->
            put(
                merged,
                keys,
                k,
                render(v),
                new Origin(Origin.Kind.START_CONFIG, "startLogging config")));
    return build(merged, backendKeys, file);
  }

  /**
   * The plugin folders, read before anything else because plugins declare the other keys: {@code
   * plugins_dir} from the settings file, {@code TRACELET_PLUGINS_DIR} or {@code
   * tracelet.plugins_dir}, else the distribution's {@code plugins/} then {@code ./plugins}. A
   * broken settings file is ignored here and reported by {@link #load}.
   */
  public List<Path> pluginRoots() {
    String value = earlyValue("plugins_dir");
    List<Path> roots = new ArrayList<>();
    if (value != null && !Values.list(value).isEmpty()) {
      for (String dir : Values.list(value)) {
        roots.add(sources.workingDirectory().resolve(dir).normalize());
      }
      return roots;
    }
    sources.homeDir().ifPresent(home -> roots.add(home.resolve("plugins")));
    Path local = sources.workingDirectory().resolve("plugins").normalize();
    if (!roots.contains(local)) {
      roots.add(local);
    }
    return roots;
  }

  /**
   * The SHA-256 digests (lower-case hex) of the only plugin JARs allowed to load ({@code
   * plugins_allowed_sha256}); empty allows every JAR. Read early, like {@link #pluginRoots()}.
   */
  public java.util.Set<String> pluginAllowList() {
    String value = earlyValue("plugins_allowed_sha256");
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    if (value != null) {
      for (String d : Values.list(value)) {
        String hex = d.toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
          throw new ConfigurationException(
              "Setting 'plugins_allowed_sha256' holds '"
                  + d
                  + "', which is not a SHA-256 digest; expected 64 hex characters per JAR, as"
                  + " printed by 'tracelet plugins verify' or 'sha256sum'.");
        }
        out.add(hex);
      }
    }
    return out;
  }

  /**
   * One core key read before plugins load (plugins declare the other keys), from the same sources
   * in the same order; a broken settings file is ignored here and reported by {@link #load}.
   */
  private @Nullable String earlyValue(String key) {
    String value = null;
    try {
      Path file = findSettingsFile();
      if (file != null) {
        for (Map.Entry<String, String> e : readFile(file).entrySet()) {
          if (sameKey(e.getKey(), key)) {
            value = e.getValue();
          }
        }
      }
    } catch (ConfigurationException e) {
      // Reported by load().
    }
    String env = sources.environment().get("TRACELET_" + key.toUpperCase(Locale.ROOT));
    if (env != null) {
      value = env;
    }
    for (Map.Entry<String, String> e : new TreeMap<>(sources.systemProperties()).entrySet()) {
      if (e.getKey().startsWith("tracelet.") && sameKey(e.getKey().substring(9), key)) {
        value = e.getValue();
      }
    }
    return value;
  }

  private static boolean sameKey(String raw, String key) {
    return raw.trim().toLowerCase(Locale.ROOT).replace('-', '_').equals(key);
  }

  private static boolean reservedProperty(String name) {
    return RESERVED_PROPS.contains(name)
        || RESERVED_PROP_PREFIXES.stream().anyMatch(name::startsWith);
  }

  private static void put(
      Map<String, RawSetting> merged,
      KeyCanonicalizer keys,
      String rawKey,
      @Nullable String value,
      Origin origin) {
    if (value == null) {
      return;
    }
    String key = keys.canonical(rawKey, value, origin);
    merged.put(key, new RawSetting(key, value, origin));
  }

  private static String render(@Nullable Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof Collection<?> c) {
      return c.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
    if (v.getClass().isArray() && v instanceof Object[] arr) {
      return java.util.Arrays.stream(arr).map(String::valueOf).collect(Collectors.joining(","));
    }
    return String.valueOf(v);
  }

  private ResolvedSettings build(
      Map<String, RawSetting> merged,
      Map<String, List<ConfigKey>> backendKeys,
      @Nullable Path file) {
    TraceletSettings.Builder b = TraceletSettings.builder();
    Map<String, String> origins = new TreeMap<>();
    // Declared defaults and secrets first; explicit values below replace the defaults.
    backendKeys.forEach(
        (backend, declared) -> {
          for (ConfigKey key : declared) {
            String full = backend + "." + key.name();
            if (key.defaultValue() != null) {
              b.backendValue(backend, key.name(), key.defaultValue());
            }
            if (key.secret()) {
              b.secretKey(full);
            }
          }
        });
    for (RawSetting raw : merged.values()) {
      origins.put(raw.key(), raw.origin().toString());
      int dot = raw.key().indexOf('.');
      if (dot < 0) {
        CoreSettingKey core = CoreSettingKey.of(raw.key()).orElseThrow();
        try {
          core.apply(b, raw.value());
        } catch (IllegalArgumentException e) {
          throw new ConfigurationException(
              "Setting '"
                  + raw.key()
                  + "' = '"
                  + raw.value()
                  + "' (from "
                  + raw.origin()
                  + ") is not valid; expected "
                  + e.getMessage()
                  + ".");
        }
      } else {
        b.backendValue(raw.key().substring(0, dot), raw.key().substring(dot + 1), raw.value());
      }
    }
    return new ResolvedSettings(b.build(), origins, file);
  }

  private @Nullable Path findSettingsFile() {
    String explicit = sources.environment().get("TRACELET_CONFIG");
    if (explicit == null) {
      explicit = sources.systemProperties().get("tracelet.config");
    }
    if (explicit != null && !explicit.isBlank()) {
      Path p = sources.workingDirectory().resolve(explicit.trim());
      if (!Files.isRegularFile(p)) {
        throw new ConfigurationException(
            "TRACELET_CONFIG names "
                + p
                + ", which is not a file; point it at a tracelet.yaml"
                + " or tracelet.properties, or unset it.");
      }
      return p;
    }
    List<Path> candidates = new ArrayList<>();
    for (String name : List.of("tracelet.yaml", "tracelet.yml", "tracelet.properties")) {
      candidates.add(sources.workingDirectory().resolve(name));
    }
    sources
        .homeDir()
        .ifPresent(
            home -> {
              for (String name : List.of("tracelet.yaml", "tracelet.yml", "tracelet.properties")) {
                candidates.add(home.resolve("conf").resolve(name));
              }
            });
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  /** Reads a YAML or properties file into flat {@code key → text}; nested maps join with dots. */
  static Map<String, String> readFile(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    try {
      if (name.endsWith(".properties")) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          p.load(r);
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
      }
      JsonNode root;
      try (InputStream in = Files.newInputStream(file)) {
        root = new ObjectMapper(new YAMLFactory()).readTree(in);
      }
      Map<String, String> out = new LinkedHashMap<>();
      if (root == null || root.isMissingNode() || root.isNull()) {
        return out;
      }
      if (!root.isObject()) {
        throw new ConfigurationException(
            "Settings file " + file + " must hold a mapping of keys to values at its top level.");
      }
      flatten("", root, out, file);
      return out;
    } catch (IOException e) {
      throw new ConfigurationException(
          "Settings file " + file + " cannot be read: " + e.getMessage() + ". Fix or remove it.",
          e);
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      JsonNode v = e.getValue();
      if (v.isObject()) {
        flatten(key, v, out, file);
      } else if (v.isArray()) {
        List<String> items = new ArrayList<>();
        for (JsonNode item : v) {
          if (!item.isValueNode()) {
            throw new ConfigurationException(
                "Settings file " + file + ": '" + key + "' must be a list of plain values.");
          }
          items.add(item.asText());
        }
        out.put(key, String.join(",", items));
      } else if (!v.isNull()) {
        out.put(key, v.asText());
      }
    }
  }

  /** Turns any spelling of a key into its canonical form, or fails naming the valid keys. */
  private static final class KeyCanonicalizer {
    private final Map<String, List<ConfigKey>> backendKeys;
    private final List<String> backendsLongestFirst;

    KeyCanonicalizer(Map<String, List<ConfigKey>> backendKeys) {
      this.backendKeys = backendKeys;
      this.backendsLongestFirst =
          backendKeys.keySet().stream()
              .sorted(Comparator.comparingInt(String::length).reversed())
              .toList();
    }

    String canonical(String rawKey, String value, Origin origin) {
      String k = rawKey.trim().toLowerCase(Locale.ROOT).replace('-', '_');
      if (CoreSettingKey.of(k).isPresent()) {
        return k;
      }
      int dot = k.indexOf('.');
      if (dot > 0) {
        String backend = k.substring(0, dot);
        String rest = k.substring(dot + 1);
        if (!backendKeys.containsKey(backend)) {
          // Which keys of a backend that is not installed are secret is unknown: show no value.
          throw unknown(
              rawKey,
              TraceletSettings.MASK,
              origin,
              k,
              "no installed backend is called '" + backend + "'");
        }
        return checkBackendKey(backend, rest, rawKey, value, origin);
      }
      for (String backend : backendsLongestFirst) {
        if (k.startsWith(backend + "_") && k.length() > backend.length() + 1) {
          return checkBackendKey(backend, k.substring(backend.length() + 1), rawKey, value, origin);
        }
      }
      throw unknown(rawKey, value, origin, k, "it is neither a core setting nor a backend's");
    }

    private String checkBackendKey(
        String backend, String rest, String rawKey, String value, Origin origin) {
      List<ConfigKey> declared = backendKeys.get(backend);
      if (declared.isEmpty() || declared.stream().anyMatch(c -> c.name().equals(rest))) {
        return backend + "." + rest;
      }
      String valid =
          declared.stream()
              .map(c -> backend + "." + c.name())
              .sorted()
              .collect(Collectors.joining(", "));
      // A backend that holds secrets: an unknown key of it may be a mistyped secret one.
      boolean holdsSecrets = declared.stream().anyMatch(ConfigKey::secret);
      throw new ConfigurationException(
          "Unknown setting '"
              + rawKey
              + "' = '"
              + (holdsSecrets ? TraceletSettings.MASK : mask(backend + "." + rest, value))
              + "' (from "
              + origin
              + "): backend '"
              + backend
              + "' has no key '"
              + rest
              + "'. Its keys are: "
              + valid
              + ".");
    }

    private ConfigurationException unknown(
        String rawKey, String value, Origin origin, String key, String why) {
      return new ConfigurationException(
          "Unknown setting '"
              + rawKey
              + "' = '"
              + mask(key, value)
              + "' (from "
              + origin
              + "): "
              + why
              + ". Core settings are: "
              + CoreSettingKey.allKeys()
              + "; a backend's settings are <backend>.<key> for the installed backends: "
              + (backendKeys.isEmpty()
                  ? "(none)"
                  : String.join(", ", new TreeMap<>(backendKeys).keySet()))
              + ". Remove the setting or correct its name.");
    }

    private String mask(String key, String value) {
      return TraceletSettings.looksSecret(key) ? TraceletSettings.MASK : value;
    }
  }
}
