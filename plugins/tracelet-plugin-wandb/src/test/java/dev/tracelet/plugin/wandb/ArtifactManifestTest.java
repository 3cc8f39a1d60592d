package dev.tracelet.plugin.wandb;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.http.JsonCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactManifestTest {
  @TempDir Path tmp;
  private final JsonCodec codec = new JsonCodec();

  @Test
  void entriesCarryBase64Md5AndTheDigestFollowsWandbsRecipe() throws Exception {
    Path b = Files.writeString(tmp.resolve("b"), "bee", StandardCharsets.UTF_8);
    Path a = Files.writeString(tmp.resolve("a"), "ay", StandardCharsets.UTF_8);
    TraceletArtifact artifact =
        new TraceletArtifact("x", ArtifactType.DATASET, null)
            .addFile(b, "z/b.txt", null)
            .addFile(a, "a.txt", null)
            .addReference(URI.create("https://host/data/a.txt"), null, null);
    ArtifactManifest m = ArtifactManifest.of(artifact, codec);

    String md5a = b64md5("ay");
    String md5b = b64md5("bee");
    assertThat(m.entries())
        .extracting(ArtifactManifest.Entry::name)
        .containsExactly("a.txt", "a.txt-1", "z/b.txt");
    String recipe =
        "wandb-artifact-manifest-v1\n"
            + "a.txt:"
            + md5a
            + "\n"
            + "a.txt-1:https://host/data/a.txt\n"
            + "z/b.txt:"
            + md5b
            + "\n";
    assertThat(m.digest())
        .isEqualTo(HexFormat.of().formatHex(md5(recipe.getBytes(StandardCharsets.UTF_8))));

    JsonNode json = codec.read(m.json());
    assertThat(json.get("version").asInt()).isEqualTo(1);
    assertThat(json.get("storagePolicy").asText()).isEqualTo("wandb-storage-policy-v1");
    assertThat(json.get("storagePolicyConfig").get("storageLayout").asText()).isEqualTo("V2");
    assertThat(json.get("contents").get("z/b.txt").get("digest").asText()).isEqualTo(md5b);
    assertThat(json.get("contents").get("z/b.txt").get("size").asLong()).isEqualTo(3);
    assertThat(json.get("contents").get("a.txt-1").get("ref").asText())
        .isEqualTo("https://host/data/a.txt");
    assertThat(m.jsonDigest()).isEqualTo(Base64.getEncoder().encodeToString(md5(m.json())));
  }

  private static String b64md5(String s) throws Exception {
    return Base64.getEncoder().encodeToString(md5(s.getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] md5(byte[] b) throws Exception {
    return MessageDigest.getInstance("MD5").digest(b);
  }
}
