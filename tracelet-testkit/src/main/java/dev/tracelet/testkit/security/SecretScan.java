package dev.tracelet.testkit.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks that a secret (a token, a password, an encoded {@code Authorization} value) appears in
 * none of the places a user or a log shipper could read it.
 *
 * <p>A scan that finds nothing only means something if the secret was really in play: prove first
 * that the server received it. And every text scanned must be non-blank, so an empty log or an
 * exception without a message cannot pass by saying nothing.
 *
 * <pre>{@code
 * Throwable failure = catchThrowable(() -> plugin.open(context));
 * SecretScan.assertAbsent(TOKEN, SecretScan.describe(failure), logger.text(), config.toString());
 * }</pre>
 */
public final class SecretScan {
  private SecretScan() {}

  /**
   * Asserts that every text is non-blank and does not contain {@code secret}.
   *
   * @param secret what must not leak
   * @param texts where it must not appear, such as {@link #describe(Throwable)} of an exception,
   *     {@link dev.tracelet.testkit.CapturingLogger#text()} and {@code toString()} of settings
   */
  public static void assertAbsent(String secret, String... texts) {
    for (String text : texts) {
      assertThat(text).isNotBlank().doesNotContain(secret);
    }
  }

  /**
   * Asserts that no regular file under {@code folder}, at any depth, contains {@code secret}
   * encoded as UTF-8, and that there is at least one such file to scan.
   *
   * @return the files scanned
   * @throws IOException if the folder cannot be walked or a file cannot be read
   */
  public static List<Path> assertAbsentFromFiles(String secret, Path folder) throws IOException {
    String needle =
        new String(secret.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(folder)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    assertThat(files).as("files under %s", folder).isNotEmpty();
    for (Path file : files) {
      // ISO-8859-1 maps each byte to one char, so this is a byte-wise search.
      String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      assertThat(bytes.contains(needle)).as("%s contains the secret", file).isFalse();
    }
    return files;
  }

  /**
   * The exception as a log would show it: type, message and stack trace, then each cause and
   * suppressed exception with theirs ({@link Throwable#printStackTrace()}).
   */
  public static String describe(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
