package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.artifact.ArtifactFile;
import dev.tracelet.api.artifact.ArtifactReference;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.http.JsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An artifact's W&amp;B manifest (storage policy {@code wandb-storage-policy-v1}, layout V2): one
 * entry per file with its base64 MD5 and size, one per external reference (digest = the URI, as
 * W&amp;B records unchecked references), and the artifact digest derived from them ({@code
 * MANIFEST_MD5}: hex MD5 of {@code wandb-artifact-manifest-v1\n} and one {@code name:digest\n} line
 * per entry in name order). Immutable.
 */
final class ArtifactManifest {
  /**
   * One entry.
   *
   * @param digest base64 MD5 of a file, or the URI of a reference
   * @param localPath the file to upload, or null for a reference
   * @param ref the reference URI, or null for a file
   */
  record Entry(
      String name, String digest, long size, @Nullable Path localPath, @Nullable String ref) {}

  private final List<Entry> entries;
  private final String digest;
  private final byte[] json;

  private ArtifactManifest(List<Entry> entries, JsonCodec codec) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(Entry::name));
    this.entries = List.copyOf(sorted);
    this.digest = computeDigest(this.entries);
    this.json = codec.write(toJson(this.entries, codec));
  }

  /**
   * Reads every file of {@code artifact} once for its MD5.
   *
   * @throws IllegalArgumentException if a file's size changed since it was added
   * @throws IOException if a file cannot be read
   */
  static ArtifactManifest of(TraceletArtifact artifact, JsonCodec codec) throws IOException {
    List<Entry> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ArtifactFile f : artifact.files()) {
      long size = Files.size(f.localPath());
      if (size != f.sizeBytes()) {
        throw new IllegalArgumentException(
            "artifact '"
                + artifact.name()
                + "' file '"
                + f.artifactPath()
                + "' changed since it was added ("
                + f.sizeBytes()
                + " bytes then, "
                + size
                + " now); add it again once it is complete");
      }
      entries.add(
          new Entry(f.artifactPath(), base64(md5(f.localPath())), size, f.localPath(), null));
      names.add(f.artifactPath());
    }
    for (ArtifactReference r : artifact.references()) {
      String name = unique(referenceName(r.uri()), names);
      String uri = r.uri().toString();
      Long size = r.sizeBytes();
      entries.add(new Entry(name, uri, size == null ? 0 : size, null, uri));
    }
    return new ArtifactManifest(entries, codec);
  }

  List<Entry> entries() {
    return entries;
  }

  /** The {@code MANIFEST_MD5} artifact digest (hex). */
  String digest() {
    return digest;
  }

  /** The manifest file, {@code wandb_manifest.json}. */
  byte[] json() {
    return json.clone();
  }

  /** Base64 MD5 of {@link #json()}, the manifest's own digest. */
  String jsonDigest() {
    return base64(md5(json));
  }

  static byte[] md5(byte[] content) {
    return md5Digest().digest(content);
  }

  static byte[] md5(Path file) throws IOException {
    MessageDigest md = md5Digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return md.digest();
  }

  static String base64(byte[] digest) {
    return Base64.getEncoder().encodeToString(digest);
  }

  private static String computeDigest(List<Entry> sorted) {
    StringBuilder text = new StringBuilder("wandb-artifact-manifest-v1\n");
    for (Entry e : sorted) {
      text.append(e.name()).append(':').append(e.digest()).append('\n');
    }
    return HexFormat.of().formatHex(md5(text.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static ObjectNode toJson(List<Entry> entries, JsonCodec codec) {
    ObjectNode root = codec.newObject();
    root.put("version", 1);
    root.put("storagePolicy", "wandb-storage-policy-v1");
    root.putObject("storagePolicyConfig").put("storageLayout", "V2");
    ObjectNode contents = root.putObject("contents");
    for (Entry e : entries) {
      ObjectNode entry = contents.putObject(e.name());
      entry.put("digest", e.digest());
      if (e.ref() != null) {
        entry.put("ref", e.ref());
      }
      entry.put("size", e.size());
    }
    return root;
  }

  private static String referenceName(URI uri) {
    String path = uri.getPath();
    if (path != null) {
      String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      String last = trimmed.substring(trimmed.lastIndexOf('/') + 1);
      if (!last.isEmpty()) {
        return last;
      }
    }
    return uri.getHost() != null ? uri.getHost() : "reference";
  }

  private static String unique(String name, Set<String> taken) {
    String candidate = name;
    for (int n = 1; taken.contains(candidate); n++) {
      candidate = name + "-" + n;
    }
    taken.add(candidate);
    return candidate;
  }

  private static MessageDigest md5Digest() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every JVM", e);
    }
  }
}
