package dev.tracelet.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No production code opens a server socket. Tracelet is a client: it writes a local store and calls
 * tracking servers, and never listens, so a training job on a shared machine exposes no port and
 * there is no bind address to get wrong. This test fails when a main source file of a module, a
 * plugin or the distribution starts a server; whoever adds one (a {@code tracelet ui}, say) must
 * bind it to 127.0.0.1 by default, test that, and then narrow this test to allow it.
 *
 * <p>Test sources are not scanned: test stubs do listen, and their own tests check they bind only
 * to the loopback interface.
 */
class NoServerSocketsTest {
  /** The repository root, seen from this module's directory (surefire's working directory). */
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static final List<String> SERVER_APIS =
      List.of("new ServerSocket(", "ServerSocketChannel", "HttpServer.create(");

  @Test
  void noMainSourceOpensAServerSocket() throws IOException {
    List<Path> scanned = mainSources();

    assertThat(scanned)
        .as("the scan reaches the core, the CLI, the plugins and the distribution")
        .anySatisfy(p -> assertThat(p).endsWith(Path.of("dev/tracelet/core/TraceletEngine.java")))
        .anySatisfy(p -> assertThat(p.toString()).contains("tracelet-cli"))
        .anySatisfy(p -> assertThat(p.toString()).contains("tracelet-plugin-local"))
        .anySatisfy(p -> assertThat(p.toString()).contains("distribution"));
    assertThat(offenders(scanned)).as("main sources that open a server socket").isEmpty();
  }

  @Test
  void theSameScanFindsTheServersOfTestStubs() throws IOException {
    // Over the CLI's tests, whose plugin-repository stub listens, the scan finds it: it can fail.
    assertThat(offenders(filesUnder(ROOT.resolve("tracelet-cli/src/test"))))
        .anySatisfy(o -> assertThat(o).contains("HttpServer.create("));
  }

  private static List<String> offenders(List<Path> files) throws IOException {
    List<String> out = new ArrayList<>();
    for (Path file : files) {
      // Latin-1 reads any bytes; the searched names are ASCII.
      String text = Files.readString(file, StandardCharsets.ISO_8859_1);
      for (String api : SERVER_APIS) {
        if (text.contains(api)) {
          out.add(ROOT.relativize(file) + " uses " + api);
        }
      }
    }
    return out;
  }

  /** Main sources of tracelet-*, plugins/* and the distribution (its bin scripts and conf too). */
  private static List<Path> mainSources() throws IOException {
    List<Path> roots = new ArrayList<>();
    try (Stream<Path> top = Files.list(ROOT)) {
      top.filter(p -> p.getFileName().toString().startsWith("tracelet-"))
          .forEach(p -> roots.add(p.resolve("src/main")));
    }
    try (Stream<Path> plugins = Files.list(ROOT.resolve("plugins"))) {
      plugins.filter(Files::isDirectory).forEach(p -> roots.add(p.resolve("src/main")));
    }
    try (Stream<Path> dist = Files.list(ROOT.resolve("distribution/src"))) {
      dist.filter(p -> !p.getFileName().toString().equals("test")).forEach(roots::add);
    }
    List<Path> files = new ArrayList<>();
    for (Path root : roots) {
      files.addAll(filesUnder(root));
    }
    return files;
  }

  private static List<Path> filesUnder(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).toList();
    }
  }
}
