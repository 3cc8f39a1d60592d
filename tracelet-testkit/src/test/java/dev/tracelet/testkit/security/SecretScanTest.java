package dev.tracelet.testkit.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretScanTest {
  private static final String SECRET = "s3cr\u00e9t-token";

  @TempDir Path dir;

  @Test
  void passesWhenNoTextHoldsTheSecret() {
    SecretScan.assertAbsent(SECRET, "a log", "an exception");
  }

  @Test
  void failsOnATextThatHoldsTheSecret() {
    assertThatThrownBy(() -> SecretScan.assertAbsent(SECRET, "clean", "Bearer " + SECRET))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void failsOnABlankText() {
    assertThatThrownBy(() -> SecretScan.assertAbsent(SECRET, "clean", " "))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void describeShowsCausesAndStackTraces() {
    String text =
        SecretScan.describe(new IllegalStateException("outer", new RuntimeException(SECRET)));

    assertThat(text)
        .contains("IllegalStateException: outer")
        .contains("\tat ")
        .contains("Caused by: java.lang.RuntimeException: " + SECRET);
    assertThatThrownBy(() -> SecretScan.assertAbsent(SECRET, text))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void scansEveryFileUnderAFolder() throws Exception {
    Files.writeString(dir.resolve("a.log"), "nothing here");
    Files.createDirectories(dir.resolve("deep/er"));
    Files.writeString(dir.resolve("deep/er/b.json"), "{}");

    assertThat(SecretScan.assertAbsentFromFiles(SECRET, dir)).hasSize(2);

    Files.write(dir.resolve("deep/er/c.bin"), ("x" + SECRET).getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> SecretScan.assertAbsentFromFiles(SECRET, dir))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("c.bin");
  }

  @Test
  void anEmptyFolderIsAFailureNotAPass() {
    assertThatThrownBy(() -> SecretScan.assertAbsentFromFiles(SECRET, dir))
        .isInstanceOf(AssertionError.class);
  }
}
