package dev.tracelet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.settings.SettingsSources;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tracelet doctor} shows where every setting came from but never a secret's value: not in
 * its table, not in {@code --json}, not in the problems it lists, not while {@code --connect} opens
 * the backend. The secret belongs to the test backend {@code memory}, whose {@code api_key} is
 * declared secret; each test first proves the secret was read, so a grep that finds nothing means
 * something.
 */
class SecretsDoNotLeakTest {
  private static final String API_KEY = "memory-api-key-3f4e5d6c-do-not-leak";
  private static final String TYPO_VALUE = "memory-api-key-typo-7b8a9c0d-do-not-leak";

  @TempDir Path dir;

  private Map<String, String> props() {
    Map<String, String> props = new HashMap<>();
    props.put("tracelet.plugins_dir", dir.resolve("plugins").toString());
    props.put("tracelet.track_system", "false");
    props.put("tracelet.backend", "memory");
    props.put("tracelet.memory.store", UUID.randomUUID().toString());
    props.put("tracelet.shutdown_timeout", "20s");
    return props;
  }

  private String run(SettingsSources sources, int expectedExit, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliContext context =
        new CliContext(sources, new PrintWriter(out, true), new PrintWriter(err, true), 200);
    int code = new TraceletCli(context).execute(args);
    String all = out + "\n" + err;
    assertThat(code).as(all).isEqualTo(expectedExit);
    return all;
  }

  @Test
  void doctorShowsWhereTheSecretCameFromButNotItsValue() {
    SettingsSources sources =
        new SettingsSources(Map.of("TRACELET_MEMORY_API_KEY", API_KEY), props(), dir, null);
    try (TraceletEngine engine = TraceletEngine.create(sources)) {
      assertThat(engine.settings().backendConfig("memory")).containsEntry("api_key", API_KEY);
    }

    String text = run(sources, ExitCodes.OK, "doctor");
    String json = run(sources, ExitCodes.OK, "doctor", "--json");
    String connected = run(sources, ExitCodes.OK, "doctor", "--connect");
    String demo = run(sources, ExitCodes.OK, "demo", "--epochs", "1");

    assertThat(text)
        .containsPattern(
            "memory\\.api_key +\\*\\*\\*\\* +environment variable TRACELET_MEMORY_API_KEY");
    assertThat(json).contains("\"memory.api_key\"").contains("****");
    assertThat(connected).contains("memory: ok");
    for (String output : new String[] {text, json, connected, demo}) {
      assertThat(output).doesNotContain(API_KEY);
    }
  }

  @Test
  void doctorListsAMistypedSecretSettingWithoutItsValue() throws IOException {
    Files.writeString(
        dir.resolve("tracelet.yaml"),
        "memory:\n  api_key: " + API_KEY + "\n  api_kee: " + TYPO_VALUE + "\n");
    SettingsSources sources = new SettingsSources(Map.of(), props(), dir, null);

    String text = run(sources, ExitCodes.PROBLEM, "doctor");
    String json = run(sources, ExitCodes.PROBLEM, "doctor", "--json");

    assertThat(text)
        .contains("Unknown setting 'memory.api_kee' = '****'")
        .contains("tracelet.yaml");
    assertThat(json).contains("memory.api_kee");
    for (String output : new String[] {text, json}) {
      assertThat(output).doesNotContain(API_KEY).doesNotContain(TYPO_VALUE);
    }
  }
}
