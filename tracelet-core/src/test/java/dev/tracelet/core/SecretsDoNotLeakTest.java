package dev.tracelet.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.TraceletSettings;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.plugin.RegisteredBackend;
import dev.tracelet.core.runtime.DefaultExperiment;
import dev.tracelet.core.settings.ResolvedSettings;
import dev.tracelet.core.settings.SettingsLoader;
import dev.tracelet.core.settings.SettingsSources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets set in every way a user can set them reach the backend that owns them, and nothing else:
 * not the printouts of the settings, not exception messages or stack traces, not the log (SLF4J,
 * which tests bind to slf4j-simple on standard error, and {@code System.Logger}, which plugins use
 * and which goes to {@code java.util.logging}), not the journal on disk. Each test first proves the
 * secret arrived where it belongs, so a grep that finds nothing means something.
 *
 * <p>The HTTP plugins' own checks (headers, 401 answers, TLS) are their modules' {@code
 * SecretsDoNotLeakTest}s; {@code tracelet doctor}'s is the CLI's.
 */
class SecretsDoNotLeakTest {
  private static final String MLFLOW_TOKEN = "mlflow-token-0a1b2c3d-do-not-leak";
  private static final String MLFLOW_PASSWORD = "mlflow-password-4e5f6a7b-do-not-leak";
  private static final String WANDB_KEY = "wandb-key-8c9d0e1f-do-not-leak";
  private static final String CLEARML_SECRET = "clearml-secret-2a3b4c5d-do-not-leak";
  private static final String CLEARML_TOKEN = "clearml-token-6e7f8a9b-do-not-leak";

  /** A secret under a name that does not look secret: only its declaration says so. */
  private static final String VAULT_DSN = "postgres://svc:dsn-secret-1c2d3e4f@db.internal/x";

  private static final String VAULT_TOKEN = "vault-token-5a6b7c8d-do-not-leak";

  /** The settings the real plugins declare secret, with their vendor variables. */
  private static final Map<String, List<ConfigKey>> BACKENDS =
      Map.of(
          "mlflow",
          List.of(
              new ConfigKey("tracking_uri", "server", null, false, List.of("MLFLOW_TRACKING_URI")),
              new ConfigKey("password", "pw", null, true, List.of("MLFLOW_TRACKING_PASSWORD")),
              new ConfigKey("token", "token", null, true, List.of("MLFLOW_TRACKING_TOKEN"))),
          "wandb",
          List.of(new ConfigKey("api_key", "key", null, true, List.of("WANDB_API_KEY"))),
          "clearml",
          List.of(
              new ConfigKey("secret_key", "key", null, true, List.of("CLEARML_API_SECRET_KEY")),
              new ConfigKey("auth_token", "token", null, true, List.of("CLEARML_AUTH_TOKEN"))),
          "vault",
          VaultBackend.KEYS);

  @TempDir Path dir;
  private TraceletEngine engine;

  @AfterEach
  void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void settingsPrintoutsMaskSecretsFromEverySource() throws IOException {
    Files.writeString(
        dir.resolve("tracelet.yaml"), "mlflow:\n  password: " + MLFLOW_PASSWORD + "\n");
    Map<String, String> env =
        Map.of(
            "MLFLOW_TRACKING_TOKEN", MLFLOW_TOKEN,
            "WANDB_API_KEY", WANDB_KEY,
            "CLEARML_API_SECRET_KEY", CLEARML_SECRET,
            "VAULT_DSN", VAULT_DSN);
    Map<String, String> props = Map.of("tracelet.clearml.auth_token", CLEARML_TOKEN);
    SettingsLoader loader = new SettingsLoader(new SettingsSources(env, props, dir, null));

    ResolvedSettings resolved = loader.load(BACKENDS, Map.of("vault.api_token", VAULT_TOKEN));

    TraceletSettings s = resolved.settings();
    assertThat(s.backendConfig("mlflow"))
        .containsEntry("token", MLFLOW_TOKEN)
        .containsEntry("password", MLFLOW_PASSWORD);
    assertThat(s.backendConfig("wandb")).containsEntry("api_key", WANDB_KEY);
    assertThat(s.backendConfig("clearml"))
        .containsEntry("secret_key", CLEARML_SECRET)
        .containsEntry("auth_token", CLEARML_TOKEN);
    assertThat(s.backendConfig("vault"))
        .containsEntry("dsn", VAULT_DSN)
        .containsEntry("api_token", VAULT_TOKEN);
    assertThat(s.asMap()).containsEntry("vault.dsn", TraceletSettings.MASK);
    assertNoSecret(
        s.toString(),
        s.asMap().toString(),
        resolved.toString(),
        resolved.origins().toString(),
        s.toBuilder().build().toString());
  }

  @Test
  void aMistypedSecretKeyIsMaskedInTheError() {
    SettingsLoader loader = new SettingsLoader(new SettingsSources(Map.of(), Map.of(), dir, null));

    Throwable typo = catchThrowable(() -> loader.load(BACKENDS, Map.of("vault.dns", VAULT_DSN)));
    Throwable noSuchBackend =
        catchThrowable(() -> loader.load(BACKENDS, Map.of("vualt.dsn", VAULT_DSN)));

    assertThat(typo)
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("vault.dns")
        .hasMessageContaining("'****'")
        .hasMessageContaining("vault.dsn");
    assertThat(noSuchBackend)
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("vualt.dsn")
        .hasMessageContaining("'****'");
    assertNoSecret(stackTrace(typo), stackTrace(noSuchBackend));
  }

  @Test
  void aFailingBackendsRunLeaksNoSecretIntoLogsReportsOrTheJournal() throws IOException {
    Path journal = dir.resolve("journal");
    FakeBackend fake = new FakeBackend("vault");
    fake.failAlways = true;
    LogCapture logs = LogCapture.start();
    DeliveryReport report;
    Experiment exp;
    String journalBytes;
    try {
      engine =
          TraceletEngine.create(
              new SettingsSources(
                  Map.of("VAULT_DSN", VAULT_DSN),
                  Map.of(
                      "tracelet.plugins_dir",
                      dir.resolve("no-plugins").toString(),
                      "tracelet.track_system",
                      "false",
                      "tracelet.journal_dir",
                      journal.toString(),
                      "tracelet.shutdown_timeout",
                      "30s"),
                  dir,
                  null));
      engine
          .registry()
          .register(
              new RegisteredBackend(
                  "vault", new VaultBackend(fake), getClass().getClassLoader(), null, "test"));
      exp =
          engine.startExperiment(
              StartOptions.builder("secrets")
                  .backends("vault")
                  .config(Map.of("vault.api_token", VAULT_TOKEN))
                  .build());
      for (int i = 0; i < 50; i++) {
        exp.logMetric("visible_marker_metric", i, i);
      }
      exp.logParams(Map.of("visible_marker_param", "lr-0.1"));
      exp.flush();
      assertThat(((DefaultExperiment) exp).deliveryReport().backends().get(0).journaled())
          .isEqualTo(51);
      journalBytes = allBytes(journal);
      report = ((DefaultExperiment) exp).end(RunStatus.FAILED);
    } finally {
      logs.stop();
    }

    // The secrets did reach the backend that owns them...
    BackendContext context = fake.contexts.get(0);
    assertThat(context.config())
        .containsEntry("dsn", VAULT_DSN)
        .containsEntry("api_token", VAULT_TOKEN);
    // ...the journal held the run's events, and the log said what went wrong...
    assertThat(journalBytes).contains("visible_marker_metric").contains("visible_marker_param");
    assertThat(logs.text()).contains("backend vault is down");
    // ...and nothing else holds them.
    assertNoSecret(
        journalBytes,
        allBytes(journal),
        logs.text(),
        report.toString(),
        exp.toString(),
        context.toString(),
        engine.settings().toString(),
        String.valueOf(engine.problems()));
  }

  private static void assertNoSecret(String... texts) {
    for (String text : texts) {
      for (String secret :
          List.of(
              MLFLOW_TOKEN,
              MLFLOW_PASSWORD,
              WANDB_KEY,
              CLEARML_SECRET,
              CLEARML_TOKEN,
              VAULT_DSN,
              "dsn-secret-1c2d3e4f",
              VAULT_TOKEN)) {
        assertThat(text).doesNotContain(secret);
      }
    }
  }

  /** Every byte of every file under {@code root}, as Latin-1 so any byte sequence survives. */
  private static String allBytes(Path root) throws IOException {
    if (!Files.exists(root)) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        b.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).append('\n');
      }
    }
    return b.toString();
  }

  private static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  /**
   * What the runtime and its plugins log while it runs: standard error (where slf4j-simple writes)
   * and every {@code java.util.logging} record (where {@code System.Logger} goes by default).
   */
  private static final class LogCapture extends Handler {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream previousErr = System.err;
    private final List<String> records = new CopyOnWriteArrayList<>();
    private final Level previousLevel = Logger.getLogger("").getLevel();

    static LogCapture start() {
      LogCapture c = new LogCapture();
      System.setErr(new PrintStream(c.err, true, StandardCharsets.UTF_8));
      Logger root = Logger.getLogger("");
      root.setLevel(Level.ALL);
      root.addHandler(c);
      return c;
    }

    void stop() {
      System.setErr(previousErr);
      Logger root = Logger.getLogger("");
      root.removeHandler(this);
      root.setLevel(previousLevel);
    }

    String text() {
      List<String> all = new ArrayList<>(records);
      all.add(err.toString(StandardCharsets.UTF_8));
      return String.join("\n", all);
    }

    @Override
    public void publish(LogRecord record) {
      String line = new SimpleFormatter().formatMessage(record);
      records.add(record.getLevel() + " " + line);
      if (record.getThrown() != null) {
        records.add(stackTrace(record.getThrown()));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  /** A backend that declares its settings, two of them secret, and delivers to a fake. */
  static final class VaultBackend implements BackendPlugin {
    static final List<ConfigKey> KEYS =
        List.of(
            new ConfigKey("dsn", "database connection string", null, true, List.of("VAULT_DSN")),
            new ConfigKey("api_token", "API token", null, true, List.of()),
            new ConfigKey("region", "not a secret", "eu", false, List.of()));

    private final FakeBackend inner;

    VaultBackend(FakeBackend inner) {
      this.inner = inner;
    }

    @Override
    public PluginMetadata metadata() {
      return new PluginMetadata("vault", "1.0.0", "holds secrets", PluginType.BACKEND);
    }

    @Override
    public List<ConfigKey> configKeys() {
      return KEYS;
    }

    @Override
    public BackendSession open(BackendContext context) {
      return inner.open(context);
    }
  }
}
