package dev.tracelet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Finds a plugin JAR named by Maven coordinates ({@code groupId:artifactId:version}): in the local
 * Maven repository first ({@code -Dmaven.repo.local}, else {@code ~/.m2/repository}), then in a
 * remote repository (Maven Central unless told otherwise), downloaded with the JDK's HTTP client
 * and accepted only when it matches the checksum the repository publishes beside it (SHA-512,
 * SHA-256 or SHA-1, strongest first).
 *
 * <p>Remote repositories must be HTTPS: a JAR fetched over plain HTTP could be swapped on the way,
 * checksum and all. Plain HTTP is allowed only to this machine (a repository manager on localhost,
 * tests).
 */
final class MavenArtifactFetcher {
  static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

  private static final Pattern COORDINATES =
      Pattern.compile("([A-Za-z0-9_.-]+):([A-Za-z0-9_.-]+):([A-Za-z0-9_.+-]+)");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** The published checksums, strongest first, with their JDK algorithm names. */
  private static final List<String[]> CHECKSUMS =
      List.of(
          new String[] {"sha512", "SHA-512"},
          new String[] {"sha256", "SHA-256"},
          new String[] {"sha1", "SHA-1"});

  /** Maven coordinates of a JAR. */
  record Coordinates(String groupId, String artifactId, String version) {
    /** The JAR's path inside a repository, {@code /}-separated. */
    String path() {
      return groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/" + fileName();
    }

    String fileName() {
      return artifactId + "-" + version + ".jar";
    }

    @Override
    public String toString() {
      return groupId + ":" + artifactId + ":" + version;
    }
  }

  /** Where a JAR was found: a file to read (and delete afterwards, if it was downloaded). */
  record Fetched(Path file, String source, boolean temporary) {}

  private final Path localRepository;
  private final URI remote;

  MavenArtifactFetcher(Path localRepository, URI remote) {
    this.localRepository = localRepository;
    String base = remote.toString();
    this.remote = URI.create(base.endsWith("/") ? base : base + "/");
    requireSecure(this.remote);
  }

  /** The coordinates in {@code text}, or null if it is not {@code groupId:artifactId:version}. */
  static @Nullable Coordinates parse(String text) {
    Matcher m = COORDINATES.matcher(text);
    return m.matches() ? new Coordinates(m.group(1), m.group(2), m.group(3)) : null;
  }

  Fetched fetch(Coordinates c) {
    Path local = localRepository.resolve(c.path());
    if (Files.isRegularFile(local)) {
      return new Fetched(local, "local repository " + localRepository, false);
    }
    if (c.version().endsWith("-SNAPSHOT")) {
      throw CliException.notFound(
          c
              + " is not in the local Maven repository "
              + localRepository
              + ", and snapshots are not fetched from remote repositories; install it locally"
              + " (mvn install) or give the JAR's path");
    }
    return download(c);
  }

  private Fetched download(Coordinates c) {
    URI jarUri = remote.resolve(c.path());
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    @Nullable Path tmp = null;
    try {
      tmp = Files.createTempFile("tracelet-plugin-", ".download");
      HttpResponse<Path> jar =
          http.send(
              request(jarUri),
              HttpResponse.BodyHandlers.ofFile(
                  tmp,
                  java.nio.file.StandardOpenOption.WRITE,
                  java.nio.file.StandardOpenOption.TRUNCATE_EXISTING));
      if (jar.statusCode() == 404) {
        throw CliException.notFound(
            c
                + " is neither in the local Maven repository "
                + localRepository
                + " nor at "
                + jarUri);
      }
      if (jar.statusCode() != 200) {
        throw CliException.notFound("downloading " + jarUri + " failed: HTTP " + jar.statusCode());
      }
      verifyChecksum(http, jarUri, tmp);
      Path result = tmp;
      tmp = null;
      return new Fetched(result, jarUri.toString(), true);
    } catch (IOException e) {
      throw CliException.notFound("downloading " + jarUri + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.notFound("downloading " + jarUri + " was interrupted");
    } finally {
      deleteQuietly(tmp);
    }
  }

  /** Accepts the file if the strongest checksum the repository publishes matches it. */
  private static void verifyChecksum(HttpClient http, URI jarUri, Path file)
      throws IOException, InterruptedException {
    for (String[] kind : CHECKSUMS) {
      URI uri = URI.create(jarUri + "." + kind[0]);
      HttpResponse<String> r =
          http.send(request(uri), HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII));
      if (r.statusCode() == 404) {
        continue;
      }
      if (r.statusCode() != 200) {
        throw CliException.notFound("downloading " + uri + " failed: HTTP " + r.statusCode());
      }
      // The file holds the hex digest, sometimes followed by the file name.
      String expected = r.body().trim().split("\\s+")[0].toLowerCase(Locale.ROOT);
      String actual = digest(file, kind[1]);
      if (!actual.equals(expected)) {
        throw CliException.notFound(
            "the download of "
                + jarUri
                + " does not match its published "
                + kind[1]
                + " ("
                + actual
                + ", published "
                + expected
                + "); it was not installed");
      }
      return;
    }
    throw CliException.notFound(
        jarUri + " has no published checksum (.sha512, .sha256 or .sha1); it was not installed");
  }

  private static HttpRequest request(URI uri) {
    return HttpRequest.newBuilder(uri)
        .timeout(TIMEOUT)
        .header("User-Agent", "tracelet-cli")
        .GET()
        .build();
  }

  private static String digest(Path file, String algorithm) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required of every JVM", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static void requireSecure(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("https")) {
      return;
    }
    String host = uri.getHost() == null ? "" : uri.getHost();
    boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    if (!(scheme.equals("http") && loopback)) {
      throw CliException.usage(
          "repository " + uri + " must be an https:// URL (plain http only to localhost)");
    }
  }

  /** The local Maven repository, as Maven finds it: -Dmaven.repo.local, else ~/.m2/repository. */
  static Path localRepository(java.util.Map<String, String> systemProperties) {
    String configured = systemProperties.get("maven.repo.local");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String home = systemProperties.getOrDefault("user.home", System.getProperty("user.home"));
    return Path.of(home, ".m2", "repository");
  }

  /** Copies {@code from} to {@code to} through a temporary file beside it, then renames it. */
  static void copyAtomically(Path from, Path to) {
    @Nullable Path tmp = null;
    try {
      // Not *.jar: a running Tracelet's folder watcher must never see a half-written JAR.
      tmp = Files.createTempFile(to.getParent(), ".installing-", ".part");
      Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      tmp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + from + " to " + to + ": " + e, e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  static void deleteQuietly(@Nullable Path p) {
    if (p == null) {
      return;
    }
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // A leftover temporary file is harmless; the OS cleans its temp folder.
    }
  }
}
