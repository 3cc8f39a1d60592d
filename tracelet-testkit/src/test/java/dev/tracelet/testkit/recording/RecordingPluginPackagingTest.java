package dev.tracelet.testkit.recording;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The recording package is packaged alone as a PF4J plugin JAR, so it may reference nothing the
 * host does not provide: no JUnit, no AssertJ, and no other testkit package.
 */
class RecordingPluginPackagingTest {
  private static final List<String> FORBIDDEN =
      List.of("org/junit/", "org/assertj/", "org/opentest4j/", "dev/tracelet/testkit/");

  @Test
  void recordingClassesReferenceOnlyTheApiPf4jAndTheJdk() throws Exception {
    Path classes = recordingClassesDir();
    List<String> offences = new ArrayList<>();
    List<Path> classFiles;
    try (Stream<Path> files = Files.list(classes)) {
      classFiles = files.filter(f -> f.toString().endsWith(".class")).toList();
    }
    for (Path classFile : classFiles) {
      // Class names in the constant pool are plain ASCII in modified UTF-8.
      String pool = new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
      for (String prefix : FORBIDDEN) {
        int at = pool.indexOf(prefix);
        while (at >= 0) {
          if (!pool.startsWith("dev/tracelet/testkit/recording/", at)) {
            offences.add(classFile.getFileName() + " references " + prefix);
            break;
          }
          at = pool.indexOf(prefix, at + 1);
        }
      }
    }

    assertThat(classFiles)
        .extracting(f -> f.getFileName().toString())
        .contains("RecordingBackendPlugin.class", "RecordedRun.class");
    assertThat(offences).isEmpty();
  }

  @Test
  void theExtensionIndexListsThePlugin() throws IOException {
    List<URL> indexes =
        Collections.list(getClass().getClassLoader().getResources("META-INF/extensions.idx"));
    List<String> lines = new ArrayList<>();
    for (URL index : indexes) {
      try (InputStream in = index.openStream()) {
        lines.addAll(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
      }
    }

    assertThat(lines).contains(RecordingBackendPlugin.class.getName());
  }

  private static Path recordingClassesDir() throws URISyntaxException {
    URL location = RecordingBackendPlugin.class.getResource("RecordingBackendPlugin.class");
    assertThat(location).isNotNull();
    assertThat(location.getProtocol())
        .as("the test reads the compiled classes directory, not a JAR")
        .isEqualTo("file");
    return Path.of(location.toURI()).getParent();
  }
}
