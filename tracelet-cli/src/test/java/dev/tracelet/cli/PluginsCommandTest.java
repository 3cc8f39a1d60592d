package dev.tracelet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.tracelet.api.artifact.TraceletArtifact;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tracelet plugins verify | install | enable | disable}. */
class PluginsCommandTest {
  @TempDir Path dir;
  CliHarness cli;
  Path plugins;

  @BeforeEach
  void setUp() {
    cli = new CliHarness(dir);
    plugins = dir.resolve("plugins");
  }

  private Path jar(String name, TestPluginJar content) {
    return content.writeTo(dir.resolve("build").resolve(name));
  }

  @Nested
  class Verify {
    @Test
    void aWellFormedJarPassesWithItsDigest() throws IOException {
      Path jar = jar("acme.jar", new TestPluginJar("acme-backend", "1.2.0"));

      CliHarness.Result r = cli.run("plugins", "verify", jar.toString());

      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out())
          .contains(jar + "  OK")
          .contains("acme-backend 1.2.0, requires Tracelet >=0.1.0")
          .contains("com.acme.AcmeBackend")
          .contains(TraceletArtifact.sha256(jar))
          .contains("plugins_allowed_sha256 is not set")
          .contains("1 JAR checked, all passed.");
    }

    @Test
    void everyBrokenRuleIsNamedAndExits1() {
      Path jar =
          jar(
              "bad.jar",
              new TestPluginJar("bad", "1.0")
                  .manifest("Plugin-Requires", ">=99.0.0")
                  .entry("dev/tracelet/api/Tracelet.class", "copy")
                  .entry("org/pf4j/Plugin.class", "copy")
                  .entry("plugin.properties", "plugin.id=other"));

      CliHarness.Result r = cli.run("plugins", "verify", jar.toString());

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.out())
          .contains(jar + "  FAILED")
          .contains("Plugin-Version '1.0' is not a SemVer version")
          .contains("requires Tracelet >=99.0.0 but this is Tracelet")
          .contains("dev/tracelet/api/Tracelet.class")
          .contains("declare tracelet-api and pf4j with provided scope")
          .contains("plugin.properties at its root")
          .contains("1 failed.");
    }

    @Test
    void aMissingDescriptorOrIndexFails() {
      Path noId = jar("no-id.jar", new TestPluginJar("x", "1.0.0").manifest("Plugin-Id", null));
      Path noIndex =
          jar(
              "no-index.jar",
              new TestPluginJar("y", "1.0.0").entry("META-INF/extensions.idx", null));
      Path emptyIndex =
          jar(
              "empty-index.jar",
              new TestPluginJar("z", "1.0.0").entry("META-INF/extensions.idx", "# nothing\n"));
      Path danglingIndex =
          jar(
              "dangling.jar",
              new TestPluginJar("w", "1.0.0").entry("com/acme/AcmeBackend.class", null));
      Path notAJar = dir.resolve("build/not-a.jar");

      CliHarness.Result r =
          cli.run(
              "plugins",
              "verify",
              noId.toString(),
              noIndex.toString(),
              emptyIndex.toString(),
              danglingIndex.toString(),
              notAJar.toString());

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.out())
          .contains("manifest has no Plugin-Id")
          .contains("has no META-INF/extensions.idx")
          .contains("META-INF/extensions.idx names no class")
          .contains("names com.acme.AcmeBackend, which is not in the JAR")
          .contains("no such file")
          .contains("5 JARs checked, 5 failed.");
    }

    @Test
    void theAllowListDecides() throws IOException {
      Path jar = jar("acme.jar", new TestPluginJar("acme-backend", "1.2.0"));
      String digest = TraceletArtifact.sha256(jar);

      CliHarness.Result allowed =
          cli.property("tracelet.plugins_allowed_sha256", "0".repeat(64) + "," + digest)
              .run("plugins", "verify", jar.toString());
      assertThat(allowed.exitCode()).isZero();
      assertThat(allowed.out()).contains("yes (its SHA-256 is in plugins_allowed_sha256)");

      CliHarness.Result refused =
          cli.property("tracelet.plugins_allowed_sha256", "0".repeat(64))
              .run("plugins", "verify", jar.toString(), "--json");
      assertThat(refused.exitCode()).isEqualTo(1);
      JsonNode report = refused.json().get(0);
      assertThat(report.get("allowed").asText()).isEqualTo("not_allowed");
      assertThat(report.get("sha256").asText()).isEqualTo(digest);
      assertThat(report.get("problems").get(0).asText())
          .contains("not in plugins_allowed_sha256")
          .contains(digest);
    }

    @Test
    void withoutArgumentsItChecksThePluginFoldersAndCatchesDuplicateIds() {
      new TestPluginJar("acme-backend", "1.0.0").writeTo(plugins.resolve("acme-1.jar"));
      new TestPluginJar("acme-backend", "1.1.0").writeTo(plugins.resolve("acme-2.jar"));

      CliHarness.Result r = cli.run("plugins", "verify");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.out())
          .contains(plugins.resolve("acme-1.jar") + "  OK")
          .contains(plugins.resolve("acme-2.jar") + "  FAILED")
          .contains("plugin id 'acme-backend' is also in " + plugins.resolve("acme-1.jar"));
    }

    @Test
    void anEmptyFolderIsNotAFailure() {
      CliHarness.Result r = cli.run("plugins", "verify");

      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).contains("No plugin JARs in");
    }
  }

  @Nested
  class Install {
    @Test
    void aJarFileIsCheckedCopiedAndItsDigestPrinted() throws IOException {
      Path jar = jar("acme-backend-1.2.0.jar", new TestPluginJar("acme-backend", "1.2.0"));

      CliHarness.Result r = cli.run("plugins", "install", jar.toString());

      assertThat(r.exitCode()).as(r.toString()).isZero();
      Path installed = plugins.resolve("acme-backend-1.2.0.jar");
      assertThat(installed).hasSameBinaryContentAs(jar);
      assertThat(r.out())
          .contains("Installed plugin acme-backend 1.2.0")
          .contains("as " + installed)
          .contains("plugins_allowed_sha256: [" + TraceletArtifact.sha256(jar));
      assertThat(cli.run("plugins", "verify").exitCode()).isZero();
      try (var files = Files.list(plugins)) {
        assertThat(files).as("no temporary file left behind").hasSize(1);
      }
    }

    @Test
    void aJarThatFailsACheckIsRefusedAndNothingIsCopied() {
      Path jar =
          jar("bad.jar", new TestPluginJar("bad", "1.0.0").entry("org/pf4j/Plugin.class", "x"));

      CliHarness.Result r = cli.run("plugins", "install", jar.toString());

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.out()).contains("FAILED").contains("org/pf4j/Plugin.class");
      assertThat(r.err()).contains("refused to install").contains("nothing was copied");
      assertThat(plugins.resolve("bad.jar")).doesNotExist();
    }

    @Test
    void aJarTheAllowListRefusesIsNotInstalled() {
      Path jar = jar("acme.jar", new TestPluginJar("acme-backend", "1.2.0"));

      CliHarness.Result r =
          cli.property("tracelet.plugins_allowed_sha256", "0".repeat(64))
              .run("plugins", "install", jar.toString());

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.out()).contains("not in plugins_allowed_sha256");
      assertThat(plugins.resolve("acme.jar")).doesNotExist();
    }

    @Test
    void anotherVersionOfAnInstalledPluginNeedsReplace() {
      Path old = new TestPluginJar("acme-backend", "1.0.0").writeTo(plugins.resolve("acme-1.jar"));
      Path newer = jar("acme-2.jar", new TestPluginJar("acme-backend", "2.0.0"));

      CliHarness.Result refused = cli.run("plugins", "install", newer.toString());
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.err())
          .contains("plugin 'acme-backend' is already installed as " + old)
          .contains("--replace");

      CliHarness.Result replaced = cli.run("plugins", "install", newer.toString(), "--replace");
      assertThat(replaced.exitCode()).as(replaced.toString()).isZero();
      assertThat(replaced.out()).contains("replacing " + old);
      assertThat(old).doesNotExist();
      assertThat(plugins.resolve("acme-2.jar")).hasSameBinaryContentAs(newer);
    }

    @Test
    void theSameJarTwiceIsAlreadyInstalled() {
      Path jar = jar("acme.jar", new TestPluginJar("acme-backend", "1.2.0"));
      assertThat(cli.run("plugins", "install", jar.toString()).exitCode()).isZero();

      CliHarness.Result again = cli.run("plugins", "install", jar.toString());

      assertThat(again.exitCode()).isZero();
      assertThat(again.out()).contains("is already installed");
    }

    @Test
    void coordinatesResolveFromTheLocalMavenRepository() {
      Path repo = dir.resolve("m2");
      Path jar =
          new TestPluginJar("acme-backend", "1.2.0")
              .writeTo(repo.resolve("com/acme/acme-backend/1.2.0/acme-backend-1.2.0.jar"));

      CliHarness.Result r =
          cli.property("maven.repo.local", repo.toString())
              .run("plugins", "install", "com.acme:acme-backend:1.2.0");

      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out()).contains("local repository " + repo);
      assertThat(plugins.resolve("acme-backend-1.2.0.jar")).hasSameBinaryContentAs(jar);
    }

    @Test
    void aSnapshotMissingLocallyIsNotFetchedRemotely() {
      CliHarness.Result r =
          cli.property("maven.repo.local", dir.resolve("empty-m2").toString())
              .run("plugins", "install", "com.acme:acme-backend:1.0.0-SNAPSHOT");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).contains("snapshots are not fetched from remote repositories");
    }

    @Test
    void neitherAFileNorCoordinatesIsAUsageError() {
      CliHarness.Result r = cli.run("plugins", "install", "acme");

      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains("neither a JAR file nor Maven coordinates");
    }

    @Test
    void aPlainHttpRepositoryElsewhereIsRefused() {
      CliHarness.Result r =
          cli.property("maven.repo.local", dir.resolve("empty-m2").toString())
              .run(
                  "plugins",
                  "install",
                  "com.acme:acme-backend:1.2.0",
                  "--repository",
                  "http://repo.example.com/maven2");

      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.err()).contains("must be an https:// URL");
    }
  }

  /** Coordinates not in the local repository come from a remote one, checked by checksum. */
  @Nested
  class FromARemoteRepository {
    private static final String PATH = "/maven2/com/acme/acme-backend/1.2.0/acme-backend-1.2.0.jar";
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private HttpServer server;
    private byte[] jarBytes;

    @BeforeEach
    void serve() throws IOException {
      jarBytes = Files.readAllBytes(jar("served.jar", new TestPluginJar("acme-backend", "1.2.0")));
      files.put(PATH, jarBytes);
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/",
          exchange -> {
            byte[] body = files.get(exchange.getRequestURI().getPath());
            if (body == null) {
              exchange.sendResponseHeaders(404, -1);
            } else {
              exchange.sendResponseHeaders(200, body.length);
              exchange.getResponseBody().write(body);
            }
            exchange.close();
          });
      server.start();
      cli.property("maven.repo.local", dir.resolve("empty-m2").toString());
    }

    @AfterEach
    void stop() {
      server.stop(0);
    }

    private CliHarness.Result install() {
      String repo = "http://127.0.0.1:" + server.getAddress().getPort() + "/maven2";
      return cli.run("plugins", "install", "com.acme:acme-backend:1.2.0", "--repository", repo);
    }

    @Test
    void aDownloadMatchingItsSha512IsInstalled() throws Exception {
      files.put(PATH + ".sha512", hex("SHA-512", jarBytes).getBytes());
      // A wrong weaker checksum must not matter: the strongest published one decides.
      files.put(PATH + ".sha1", "0".repeat(40).getBytes());

      CliHarness.Result r = install();

      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(Files.readAllBytes(plugins.resolve("acme-backend-1.2.0.jar"))).isEqualTo(jarBytes);
    }

    @Test
    void aSha1FollowedByAFileNameIsAccepted() throws Exception {
      files.put(PATH + ".sha1", (hex("SHA-1", jarBytes) + "  acme-backend-1.2.0.jar\n").getBytes());

      assertThat(install().exitCode()).isZero();
    }

    @Test
    void aDownloadNotMatchingItsChecksumIsRefused() {
      files.put(PATH + ".sha256", "0".repeat(64).getBytes());

      CliHarness.Result r = install();

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).contains("does not match its published SHA-256");
      assertThat(plugins.resolve("acme-backend-1.2.0.jar")).doesNotExist();
    }

    @Test
    void aDownloadWithoutChecksumIsRefused() {
      CliHarness.Result r = install();

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).contains("has no published checksum");
    }

    @Test
    void anArtifactTheRepositoryLacksIsNotFound() {
      files.clear();

      CliHarness.Result r = install();

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).contains("is neither in the local Maven repository");
    }

    private String hex(String algorithm, byte[] content) throws Exception {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
    }
  }

  @Nested
  class EnableAndDisable {
    @Test
    void disableWritesDisabledTxtAndTheHostLeavesThePluginDisabled() throws IOException {
      new TestPluginJar("acme-backend", "1.0.0").writeTo(plugins.resolve("acme.jar"));

      CliHarness.Result r = cli.run("plugins", "disable", "acme-backend");

      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out()).contains("Plugin acme-backend is disabled");
      assertThat(Files.readAllLines(plugins.resolve("disabled.txt")))
          .containsExactly("acme-backend");
      CliHarness.Result list = cli.run("plugins", "list", "--json");
      JsonNode acme = null;
      for (JsonNode p : list.json().get("plugins")) {
        if ("acme-backend".equals(p.get("id").asText())) {
          acme = p;
        }
      }
      assertThat(acme).as(list.out()).isNotNull();
      assertThat(acme.get("state").asText()).isEqualTo("DISABLED");
    }

    @Test
    void enableUndoesDisableAndKeepsOtherLines() throws IOException {
      new TestPluginJar("acme-backend", "1.0.0").writeTo(plugins.resolve("acme.jar"));
      Files.writeString(
          plugins.resolve("disabled.txt"), "# approved by ops\nacme-backend\nother\n");

      CliHarness.Result r = cli.run("plugins", "enable", "acme-backend");

      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).contains("Plugin acme-backend is enabled");
      assertThat(Files.readAllLines(plugins.resolve("disabled.txt")))
          .containsExactly("# approved by ops", "other");
    }

    @Test
    void enableAddsToANonEmptyEnabledTxt() throws IOException {
      new TestPluginJar("acme-backend", "1.0.0").writeTo(plugins.resolve("acme.jar"));
      Files.writeString(plugins.resolve("enabled.txt"), "tracelet-plugin-local\n");

      assertThat(cli.run("plugins", "enable", "acme-backend").exitCode()).isZero();

      assertThat(Files.readAllLines(plugins.resolve("enabled.txt")))
          .containsExactly("tracelet-plugin-local", "acme-backend");
      assertThat(cli.run("plugins", "disable", "acme-backend").exitCode()).isZero();
      assertThat(Files.readAllLines(plugins.resolve("enabled.txt")))
          .containsExactly("tracelet-plugin-local");
    }

    @Test
    void anUnknownIdIsRefusedWithTheInstalledOnes() {
      new TestPluginJar("acme-backend", "1.0.0").writeTo(plugins.resolve("acme.jar"));

      CliHarness.Result r = cli.run("plugins", "disable", "acme");

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.err()).contains("has the id 'acme'").contains("installed: acme-backend");
      assertThat(plugins.resolve("disabled.txt")).doesNotExist();
    }
  }
}
