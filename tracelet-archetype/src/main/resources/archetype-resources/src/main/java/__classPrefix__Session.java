package ${package};

import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.api.store.RunStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One run, appended to a tab-separated file: {@code run}, {@code param}, {@code tag}, {@code
 * metric} and {@code end} lines.
 *
 * <p>The rules every session keeps (the compatibility kit checks them):
 *
 * <ul>
 *   <li>the host calls it from one thread at a time, so it needs no locks;
 *   <li>a failure throws, so the host retries; {@link IllegalArgumentException} only for a batch
 *       that can never be stored, which the host drops;
 *   <li>a batch is stored all or nothing, so its retry is stored exactly once;
 *   <li>{@code log} after {@code close} throws; a second {@code close} does nothing.
 * </ul>
 */
final class ${classPrefix}Session implements BackendSession {
  private static final BackendCapabilities CAPABILITIES =
      BackendCapabilities.defaults().withMaxBatchEvents(5_000).withArtifacts(false);

  private final Path file;
  private RunStatus closedWith;

  private ${classPrefix}Session(Path file) {
    this.file = file;
  }

  /** Starts the run, or continues it when the context says it is resumed. */
  static ${classPrefix}Session open(BackendContext context, Path file) {
    ${classPrefix}Session session = new ${classPrefix}Session(file);
    session.append(
        List.of(
            line(
                "run",
                context.runId(),
                context.experimentName(),
                context.project(),
                String.valueOf(context.resumed()))),
        StandardOpenOption.CREATE);
    return session;
  }

  @Override
  public BackendCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public void log(EventBatch batch) {
    requireOpen();
    List<String> lines = new ArrayList<>();
    for (ParamEvent p : batch.params()) {
      lines.add(line("param", p.key(), p.valueAsString()));
    }
    for (TagEvent t : batch.tags()) {
      lines.add(line("tag", t.key(), t.value()));
    }
    for (MetricEvent m : batch.metrics()) {
      // Double.toString reads back exactly, NaN and the infinities included.
      lines.add(
          line(
              "metric",
              m.name(),
              Long.toString(m.step()),
              Long.toString(m.timestamp()),
              Double.toString(m.value())));
    }
    if (!lines.isEmpty()) {
      append(lines);
    }
  }

  @Override
  public ArtifactResult logArtifact(TraceletArtifact artifact) {
    // capabilities().artifacts() is false, so the host sends none. To store artifacts, copy
    // artifact.files() to your service, return where they went, and turn the capability on.
    throw new UnsupportedOperationException("${backendName} stores no artifacts");
  }

  @Override
  public Optional<RunStore> store() {
    return Optional.empty();
  }

  @Override
  public void close(RunStatus status) {
    if (closedWith != null) {
      return;
    }
    closedWith = status;
    append(List.of(line("end", status.name())));
  }

  private void requireOpen() {
    if (closedWith != null) {
      throw new IllegalStateException(
          "${backendName}: log() after the session was closed (" + closedWith + ")");
    }
  }

  /** Appends whole lines in one write; on failure cuts the file back, so nothing half-written stays. */
  private void append(List<String> lines, OpenOption... extra) {
    StringBuilder text = new StringBuilder();
    lines.forEach(l -> text.append(l).append('\n'));
    ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
    List<OpenOption> options =
        new ArrayList<>(List.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    options.addAll(List.of(extra));
    try (FileChannel ch = FileChannel.open(file, options.toArray(OpenOption[]::new))) {
      long before = ch.size();
      try {
        while (bytes.hasRemaining()) {
          ch.write(bytes);
        }
      } catch (IOException e) {
        ch.truncate(before);
        throw e;
      }
    } catch (IOException e) {
      throw new BackendException(${classPrefix}BackendPlugin.NAME, "cannot write " + file + ": " + e, e);
    }
  }

  /** Fields joined by tabs; tabs, newlines and backslashes in them escaped. */
  static String line(String... fields) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < fields.length; i++) {
      if (i > 0) {
        b.append('\t');
      }
      for (char c : fields[i].toCharArray()) {
        switch (c) {
          case '\\' -> b.append("\\\\");
          case '\t' -> b.append("\\t");
          case '\n' -> b.append("\\n");
          case '\r' -> b.append("\\r");
          default -> b.append(c);
        }
      }
    }
    return b.toString();
  }

  /** The fields of a line written by {@link #line}. */
  static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\t') {
        out.add(b.toString());
        b.setLength(0);
      } else if (c == '\\' && i + 1 < line.length()) {
        char e = line.charAt(++i);
        b.append(e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e);
      } else {
        b.append(c);
      }
    }
    out.add(b.toString());
    return out;
  }
}
