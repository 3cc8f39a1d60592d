package dev.tracelet.core.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tracelet.api.artifact.ArtifactFile;
import dev.tracelet.api.artifact.ArtifactObject;
import dev.tracelet.api.artifact.TraceletArtifact;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an artifact's in-memory objects to files, so that backends only ever deal with files.
 * Failures name the object and the serializer, and happen on the caller's thread at {@code
 * logArtifact}, before anything is sent.
 */
final class ArtifactWriter {
  private final ObjectMapper json =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).findAndRegisterModules();
  private final ObjectMapper yaml = new YAMLMapper().findAndRegisterModules();

  /** A copy of {@code artifact} whose objects are files under {@code dir}. */
  TraceletArtifact materialize(TraceletArtifact artifact, Path dir) {
    if (artifact.objects().isEmpty()) {
      return artifact;
    }
    List<ArtifactFile> files = new ArrayList<>(artifact.files());
    try {
      Path base = Files.createDirectories(dir.resolve(artifact.name()));
      for (ArtifactObject o : artifact.objects()) {
        Path target = base.resolve(o.name());
        Files.createDirectories(target.getParent());
        write(o, target);
        files.add(
            new ArtifactFile(
                target,
                o.name(),
                o.description(),
                Files.size(target),
                TraceletArtifact.sha256(target)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write the objects of artifact '" + artifact.name() + "' to " + dir, e);
    }
    return artifact.withFilesOnly(files);
  }

  private void write(ArtifactObject o, Path target) throws IOException {
    try (OutputStream out = Files.newOutputStream(target)) {
      switch (o.serializer()) {
        case "json" -> json.writeValue(out, o.obj());
        case "yaml" -> yaml.writeValue(out, o.obj());
        case "java" -> {
          if (!(o.obj() instanceof Serializable)) {
            throw new IllegalArgumentException(
                "Object '"
                    + o.name()
                    + "' is a "
                    + o.obj().getClass().getName()
                    + ", which is not Serializable; use the json or yaml serializer");
          }
          ObjectOutputStream oos = new ObjectOutputStream(out);
          try {
            oos.writeObject(o.obj());
          } catch (java.io.ObjectStreamException e) {
            // Serializable on paper, not in fact (a field is not): the object's fault, not I/O.
            throw new IllegalArgumentException(
                "Object '"
                    + o.name()
                    + "' ("
                    + o.obj().getClass().getName()
                    + ") cannot be written with Java serialisation: "
                    + e
                    + "; use the json or yaml serializer, or make every field Serializable",
                e);
          }
          oos.flush();
        }
        default -> throw new IllegalArgumentException("unknown serializer " + o.serializer());
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          "Object '"
              + o.name()
              + "' cannot be written as "
              + o.serializer()
              + ": "
              + e.getOriginalMessage()
              + "; write it to a file and add that, or use another serializer",
          e);
    }
  }
}
