package dev.tracelet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelet.core.TraceletEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command through picocli, against the in-memory {@code memory} backend. */
class CliTest {
  @TempDir Path dir;
  CliHarness cli;

  @BeforeEach
  void setUp() {
    cli = new CliHarness(dir);
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get(field).asText()));
    return out;
  }

  @Nested
  class Basics {
    @Test
    void versionComesFromTheBuild() {
      CliHarness.Result r = cli.run("--version");

      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).startsWith("tracelet " + TraceletEngine.version() + "\n");
      assertThat(TraceletEngine.version()).isNotBlank().isNotEqualTo("unknown");
    }

    @Test
    void withoutACommandItPrintsUsageAndExits2() {
      CliHarness.Result r = cli.run();

      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains("Usage: tracelet").contains("runs").contains("doctor");
    }

    @Test
    void aWrongCommandLineIsOneLineAndExit2() {
      CliHarness.Result r = cli.run("runs", "show", "abc", "--colour");

      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err().lines().findFirst().orElseThrow())
          .startsWith("tracelet: ")
          .contains("--colour");
      assertThat(r.err()).contains("tracelet runs show --help").doesNotContain("\tat ");
    }

    @Test
    void everyGroupNeedsASubcommand() {
      assertThat(cli.run("runs").exitCode()).isEqualTo(2);
      assertThat(cli.run("models").exitCode()).isEqualTo(2);
      assertThat(cli.run("plugins").exitCode()).isEqualTo(2);
    }

    @Test
    void anUninstalledBackendIsAProblemNotACrash() {
      CliHarness.Result r = cli.run("runs", "list", "--backend", "nope");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err().lines()).hasSize(1);
      assertThat(r.err()).contains("'nope' is not installed").contains("memory");
    }
  }

  @Nested
  class Demo {
    @Test
    void aDemoRunIsStoredWithEverythingItLogged() {
      CliHarness.Result r = cli.run("demo", "--epochs", "30");

      assertThat(r.exitCode()).as(r.toString()).isZero();
      String id = CliHarness.runId(r.out());
      assertThat(r.out())
          .contains("Run " + id + " FINISHED")
          .contains("delivery memory: ")
          .contains("Registered model demo-logreg version 1 in memory")
          .contains("tracelet runs show " + id + " --backend memory");

      JsonNode run = cli.run("runs", "show", id, "--backend", "memory", "--json").json();
      assertThat(run.get("status").asText()).isEqualTo("FINISHED");
      assertThat(run.get("name").asText()).isEqualTo("logreg-demo");
      assertThat(run.get("params").get("learning_rate").asText()).isEqualTo("0.6");
      assertThat(run.get("params").get("epochs").asText()).isEqualTo("30");
      assertThat(run.get("params").get("data.samples").asText()).isEqualTo("2000");
      assertThat(run.get("params").has("dataset.fingerprint")).isTrue();
      assertThat(run.get("metrics").get("val_accuracy").asDouble()).isGreaterThan(0.8);
      assertThat(run.get("metrics").get("learning_rate").asDouble()).isEqualTo(0.02);
      assertThat(run.get("artifacts")).hasSize(1);
      assertThat(run.get("artifacts").get(0).asText()).isEqualTo("model/model.json");

      assertThat(cli.store().metricHistory(id, "val_loss")).hasSize(30);
      assertThat(cli.store().metricHistory(id, "learning_rate").get(0).value()).isEqualTo(0.6);

      JsonNode versions =
          cli.run("models", "versions", "demo-logreg", "--backend", "memory", "--json").json();
      assertThat(texts(versions, "version")).containsExactly("1");
      assertThat(versions.get(0).get("source_run_id").asText()).isEqualTo(id);
    }

    @Test
    void theModelArtifactHoldsTheTrainedWeights() throws IOException {
      String id = cli.demo("--epochs", "5");

      Path model = cli.store().artifactPath(id, "model");
      JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(model.toFile());

      assertThat(json.get("weights")).hasSize(DemoTraining.FEATURES);
      assertThat(json.get("standardization").get("means")).hasSize(DemoTraining.FEATURES);
      assertThat(json.get("epochs").asInt()).isEqualTo(5);
    }

    @Test
    void failStoresAFailedRunAndExits1() {
      CliHarness.Result r = cli.run("demo", "--epochs", "10", "--fail");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err().lines()).hasSize(1);
      assertThat(r.err()).contains("failed on purpose (--fail)");
      String id = CliHarness.runId(r.out());
      JsonNode run = cli.run("runs", "show", id, "--backend", "memory", "--json").json();
      assertThat(run.get("status").asText()).isEqualTo("FAILED");
      assertThat(run.get("tags").get("tracelet.failure").asText()).contains("epoch 5");
      // Training stopped at the failure: no metrics after epoch 5.
      assertThat(cli.store().metricHistory(id, "val_loss")).hasSize(6);
      assertThat(cli.run("models", "list", "--backend", "memory").out())
          .contains("No registered models");
    }

    @Test
    void projectNameAndBackendOptionsAreUsed() {
      cli.property("tracelet.backend", "local"); // the --backend option must override this
      String id =
          cli.demo("--epochs", "2", "--project", "vision", "--name", "tiny", "-b", "memory");

      JsonNode runs = cli.run("runs", "list", "vision", "-b", "memory", "--json").json();
      assertThat(texts(runs, "run_id")).containsExactly(id);
      assertThat(texts(runs, "name")).containsExactly("tiny");
    }

    @Test
    void epochsOutOfRangeAreAUsageError() {
      CliHarness.Result r = cli.run("demo", "--epochs", "0");

      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains("--epochs must be between 1 and 10000");
    }
  }

  @Nested
  class Runs {
    String shortRun;
    String longRun;

    @BeforeEach
    void twoRuns() {
      shortRun = cli.demo("--epochs", "2");
      longRun = cli.demo("--epochs", "40");
    }

    @Test
    void listShowsBothRunsAndSortsByAMetric() {
      CliHarness.Result table = cli.run("runs", "list", "-b", "memory");
      assertThat(table.exitCode()).isZero();
      assertThat(table.out()).startsWith("RUN ID").contains(shortRun).contains(longRun);

      JsonNode asc =
          cli.run("runs", "list", "-b", "memory", "--sort", "metric.val_loss", "--json").json();
      JsonNode desc =
          cli.run("runs", "list", "-b", "memory", "--sort", "metric.val_loss", "--desc", "--json")
              .json();
      assertThat(texts(asc, "run_id")).containsExactly(longRun, shortRun);
      assertThat(texts(desc, "run_id")).containsExactly(shortRun, longRun);
    }

    @Test
    void anUnknownSortFieldIsAUsageErrorListingTheValidOnes() {
      CliHarness.Result r = cli.run("runs", "list", "-b", "memory", "--sort", "colour");

      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains("colour").contains("start_time");
    }

    @Test
    void showPrintsSectionsAndHistory() {
      CliHarness.Result r =
          cli.run("runs", "show", longRun, "-b", "memory", "--history", "val_accuracy");

      assertThat(r.exitCode()).isZero();
      assertThat(r.out())
          .contains("Status      FINISHED")
          .contains("Parameters (")
          .contains("learning_rate")
          .contains("Metrics (latest value) (5)")
          .contains("Artifacts (1)")
          .contains("model/model.json")
          .contains("History of val_accuracy (40)");
    }

    @Test
    void aMissingRunExits1WithOneLine() {
      CliHarness.Result r = cli.run("runs", "show", "0123456789abcdef", "-b", "memory");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.err())
          .isEqualTo(
              "tracelet: Run '0123456789abcdef' not found in backend 'memory'; 'tracelet runs"
                  + " list' shows the runs of an experiment.\n");
    }

    @Test
    void verboseAddsTheStackTrace() {
      CliHarness.Result r = cli.run("runs", "show", "nope", "-b", "memory", "--verbose");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).contains("\tat dev.tracelet.cli.");
    }

    @Test
    void compareNamesTheBestRunPerMetricTheRightWay() {
      JsonNode c = cli.run("runs", "compare", shortRun, longRun, "-b", "memory", "--json").json();

      JsonNode metrics = c.get("metrics");
      assertThat(metrics.get("val_loss").get("goal").asText()).isEqualTo("minimize");
      assertThat(metrics.get("val_loss").get("best")).hasSize(1);
      assertThat(metrics.get("val_loss").get("best").get(0).asText()).isEqualTo(longRun);
      assertThat(metrics.get("val_accuracy").get("goal").asText()).isEqualTo("maximize");
      assertThat(metrics.get("val_accuracy").get("best").get(0).asText()).isEqualTo(longRun);
      assertThat(c.get("params").get("epochs").get(shortRun).asText()).isEqualTo("2");

      JsonNode flipped =
          cli.run(
                  "runs",
                  "compare",
                  shortRun,
                  longRun,
                  "-b",
                  "memory",
                  "--maximize",
                  "val_loss",
                  "--json")
              .json();
      assertThat(flipped.get("metrics").get("val_loss").get("best").get(0).asText())
          .isEqualTo(shortRun);
    }

    @Test
    void compareDiffOnlyKeepsTheParametersThatDiffer() {
      JsonNode all = cli.run("runs", "compare", shortRun, longRun, "-b", "memory", "--json").json();
      JsonNode diff =
          cli.run("runs", "compare", shortRun, longRun, "-b", "memory", "--diff-only", "--json")
              .json();

      assertThat(all.get("params").has("seed")).isTrue();
      assertThat(diff.get("params").has("seed")).isFalse();
      assertThat(diff.get("params").get("epochs").get(longRun).asText()).isEqualTo("40");
    }

    @Test
    void compareAsATableMarksTheBestRun() {
      CliHarness.Result r = cli.run("runs", "compare", shortRun, longRun, "-b", "memory");

      assertThat(r.exitCode()).isZero();
      String best = longRun.substring(0, 8) + " (min)";
      assertThat(r.out().lines().filter(l -> l.startsWith("metric.val_loss")))
          .singleElement()
          .satisfies(l -> assertThat(l).endsWith(best));
    }

    @Test
    void compareNeedsTwoRunsThatExist() {
      assertThat(cli.run("runs", "compare", shortRun, "-b", "memory").exitCode()).isEqualTo(2);
      assertThat(cli.run("runs", "compare", shortRun, shortRun, "-b", "memory").exitCode())
          .isEqualTo(2);
      CliHarness.Result missing = cli.run("runs", "compare", shortRun, "feed", "-b", "memory");
      assertThat(missing.exitCode()).isEqualTo(1);
      assertThat(missing.err()).contains("'feed' not found");
    }

    @Test
    void exportWritesCsvToStdoutOrAFile() throws IOException {
      CliHarness.Result stdout = cli.run("runs", "export", "-b", "memory");
      assertThat(stdout.exitCode()).isZero();
      List<String> lines = stdout.out().lines().toList();
      assertThat(lines).hasSize(3);
      assertThat(lines.get(0)).startsWith("run_id,").contains("metric.val_accuracy");

      Path file = dir.resolve("out/results.csv");
      CliHarness.Result toFile =
          cli.run("runs", "export", "default", "-o", file.toString(), "-b", "memory");
      assertThat(toFile.exitCode()).isZero();
      assertThat(toFile.out()).contains("Wrote 2 runs");
      assertThat(Files.readString(file)).isEqualTo(stdout.out());
    }

    @Test
    void exportOfAMissingExperimentExits1() {
      CliHarness.Result r = cli.run("runs", "export", "nope", "-b", "memory");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).contains("'nope' not found");
    }

    @Test
    void deleteThenGcRemovesARunForGood() {
      CliHarness.Result del = cli.run("runs", "delete", shortRun, "-b", "memory");
      assertThat(del.exitCode()).isZero();
      assertThat(cli.run("runs", "show", shortRun, "-b", "memory").exitCode()).isEqualTo(1);

      CliHarness.Result gc = cli.run("gc", "-b", "memory", "--json");
      assertThat(gc.exitCode()).isZero();
      assertThat(gc.json().get("purged_runs").asInt()).isEqualTo(1);
    }

    @Test
    void deleteChecksEveryIdBeforeDeletingAny() {
      CliHarness.Result r = cli.run("runs", "delete", shortRun, "feed", "-b", "memory");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(cli.run("runs", "show", shortRun, "-b", "memory").exitCode()).isZero();
    }

    @Test
    void tablesFitANarrowTerminal() {
      cli.width(0);
      CliHarness.Result wide = cli.run("runs", "list", "-b", "memory");
      assertThat(wide.out().lines()).anySatisfy(l -> assertThat(l.length()).isGreaterThan(80));
      cli.width(80);
      CliHarness.Result r = cli.run("runs", "list", "-b", "memory");

      assertThat(r.out().lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
      // Run ids never wrap: users copy them.
      assertThat(r.out()).contains(longRun).contains(shortRun);
    }
  }

  @Nested
  class Experiments {
    @Test
    void listShowAndDelete() {
      String id = cli.demo("--epochs", "1", "--project", "alpha");
      cli.demo("--epochs", "1", "--project", "beta");

      JsonNode list =
          cli.run("experiments", "list", "-b", "memory", "--sort", "name", "--desc", "--json")
              .json();
      assertThat(texts(list, "name")).containsExactly("beta", "alpha");
      assertThat(list.get(1).get("num_runs").asInt()).isEqualTo(1);

      JsonNode alpha = cli.run("experiments", "show", "alpha", "-b", "memory", "--json").json();
      assertThat(texts(alpha.get("runs"), "run_id")).containsExactly(id);

      assertThat(cli.run("experiments", "delete", "alpha", "-b", "memory").exitCode()).isZero();
      CliHarness.Result gone = cli.run("experiments", "show", "alpha", "-b", "memory");
      assertThat(gone.exitCode()).isEqualTo(1);
      assertThat(gone.err()).contains("Experiment 'alpha' not found");
      assertThat(cli.run("experiments", "delete", "alpha", "-b", "memory").exitCode()).isEqualTo(1);
    }

    @Test
    void anEmptyStoreSaysHowToFillIt() {
      CliHarness.Result r = cli.run("experiments", "list", "-b", "memory");

      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).contains("'tracelet demo' creates one");
      assertThat(cli.run("experiments", "list", "-b", "memory", "--json").out().strip())
          .isEqualTo("[ ]");
    }
  }

  @Nested
  class Models {
    @Test
    void registerTagAliasAndList() {
      String id = cli.demo("--epochs", "1");

      CliHarness.Result reg =
          cli.run(
              "models",
              "register",
              id,
              "model",
              "demo-logreg",
              "--tag",
              "stage=try",
              "-b",
              "memory");
      assertThat(reg.exitCode()).isZero();
      assertThat(reg.out()).contains("version 2");

      CliHarness.Result tag =
          cli.run(
              "models", "tag", "demo-logreg", "2", "owner=ml", "--remove", "stage", "-b", "memory");
      assertThat(tag.exitCode()).isZero();
      assertThat(tag.out()).contains("owner=ml").doesNotContain("stage=");

      assertThat(cli.run("models", "alias", "demo-logreg", "prod", "1", "-b", "memory").exitCode())
          .isZero();
      JsonNode versions =
          cli.run("models", "versions", "demo-logreg", "-b", "memory", "--json").json();
      assertThat(texts(versions, "version")).containsExactly("2", "1");
      assertThat(versions.get(1).get("aliases").get(0).asText()).isEqualTo("prod");

      CliHarness.Result list = cli.run("models", "list", "-b", "memory");
      assertThat(list.out()).contains("demo-logreg").contains("prod=1");

      assertThat(
              cli.run("models", "alias", "demo-logreg", "prod", "--delete", "-b", "memory")
                  .exitCode())
          .isZero();
      assertThat(cli.run("models", "list", "-b", "memory", "--json").json().get(0).get("aliases"))
          .isEmpty();
    }

    @Test
    void wrongModelRequestsExitWithTheRightCode() {
      cli.demo("--epochs", "1");

      assertThat(cli.run("models", "versions", "nope", "-b", "memory").exitCode()).isEqualTo(1);
      assertThat(cli.run("models", "tag", "demo-logreg", "1", "-b", "memory").exitCode())
          .isEqualTo(2);
      assertThat(cli.run("models", "alias", "demo-logreg", "prod", "-b", "memory").exitCode())
          .isEqualTo(2);
      assertThat(cli.run("models", "register", "feed", "model", "m", "-b", "memory").exitCode())
          .isEqualTo(1);
    }
  }

  @Nested
  class PluginsAndDoctor {
    @Test
    void pluginsListShowsFoldersClasspathBackendsAndBrokenJars() throws IOException {
      Path plugins = Files.createDirectories(dir.resolve("plugins"));
      Files.writeString(plugins.resolve("broken-plugin.jar"), "not a jar");

      CliHarness.Result r = cli.run("plugins", "list");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.out())
          .contains("Plugin folders, searched in order:")
          .contains(plugins + "  (1 JAR)")
          .contains("ID")
          .contains("STATE")
          .contains("broken-plugin.jar");
      assertThat(r.out().lines().filter(l -> l.startsWith("classpath")))
          .anySatisfy(l -> assertThat(l).contains("STARTED").contains("memory"));

      JsonNode json = cli.run("plugins", "list", "--json").json();
      assertThat(json.get("folders").get(0).get("path").asText()).isEqualTo(plugins.toString());
      assertThat(json.get("folders").get(0).get("exists").asBoolean()).isTrue();
      JsonNode broken = null;
      for (JsonNode p : json.get("plugins")) {
        if (p.get("file").asText().endsWith("broken-plugin.jar")) {
          broken = p;
        }
      }
      assertThat(broken).isNotNull();
      assertThat(broken.get("error").asText()).isNotBlank();
    }

    @Test
    void pluginsListExits0WhenAllPluginsAreUsable() {
      CliHarness.Result r = cli.run("plugins", "list");

      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).contains("(missing)");
    }

    @Test
    void doctorShowsSourcesAndMasksSecrets() {
      cli.property("tracelet.memory.api_key", "s3cr3t-value").property("tracelet.project", "x");

      CliHarness.Result r = cli.run("doctor");

      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out() + r.err()).doesNotContain("s3cr3t-value");
      assertThat(r.out())
          .contains("Tracelet " + TraceletEngine.version())
          .contains("memory.api_key")
          .contains("****")
          .contains("system property tracelet.memory.api_key")
          .contains("system property tracelet.project")
          .containsPattern("project +x +system property tracelet.project")
          .contains("Plugin folders")
          .contains("No problems found.");

      JsonNode json = cli.run("doctor", "--json").json();
      assertThat(json.get("version").asText()).isEqualTo(TraceletEngine.version());
      assertThat(json.get("problems")).isEmpty();
      assertThat(json.toString()).doesNotContain("s3cr3t-value");
    }

    @Test
    void doctorReadsTheSettingsFileInTheWorkingDirectory() throws IOException {
      Files.writeString(dir.resolve("tracelet.yaml"), "project: from-file\n");

      CliHarness.Result r = cli.run("doctor");

      assertThat(r.out())
          .contains("tracelet.yaml")
          .containsPattern("project +from-file +settings file");
    }

    @Test
    void doctorExits1AndListsProblems() {
      cli.property("tracelet.backend", "memory,nope").property("tracelet.memory.store", "x");

      CliHarness.Result r = cli.run("doctor");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.out())
          .contains("Problems (1)")
          .contains("backend 'nope' is selected but not installed");
    }

    @Test
    void doctorSurvivesInvalidSettings() {
      cli.property("tracelet.track_git", "perhaps");

      CliHarness.Result r = cli.run("doctor");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.out()).contains("the settings are invalid").contains("track_git");
    }

    @Test
    void doctorConnectReachesTheSelectedStores() {
      CliHarness.Result r = cli.run("doctor", "--connect");

      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).contains("memory: ok (0 experiments)");
    }
  }
}
