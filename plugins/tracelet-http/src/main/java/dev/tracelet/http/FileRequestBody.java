package dev.tracelet.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;
import okio.Okio;
import okio.Source;
import org.jspecify.annotations.Nullable;

/**
 * A request body streamed from a file in 64 KiB pieces — the file is never held in memory — that
 * reports the bytes sent so far. Re-playable: each attempt of a retry reads the file again and
 * reports from zero.
 */
public final class FileRequestBody extends RequestBody {
  private static final long CHUNK = 64 * 1024;

  private final Path file;
  private final @Nullable MediaType type;
  private final LongConsumer progress;

  /**
   * @param progress called with the bytes written so far after each piece, on the sending thread
   */
  public FileRequestBody(Path file, @Nullable MediaType type, LongConsumer progress) {
    this.file = file;
    this.type = type;
    this.progress = progress;
  }

  @Override
  public @Nullable MediaType contentType() {
    return type;
  }

  @Override
  public long contentLength() throws IOException {
    return Files.size(file);
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    long sent = 0;
    try (Source source = Okio.source(file)) {
      long n;
      while ((n = source.read(sink.getBuffer(), CHUNK)) != -1) {
        sink.emitCompleteSegments();
        sent += n;
        progress.accept(sent);
      }
    }
  }
}
