package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.http.JsonCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * An append-only JSON Lines file of the requests an offline run would have sent, in order. Each
 * record is {@code {"v":1,"seq":n,"time":<epoch ms>,"type":…, …}}, written with one {@code write}
 * and forced to disk before {@link #append} returns, so after a crash the file ends at most with
 * one partial line, which a reader skips. Existing records are never rewritten. Thread-safe:
 * records from different threads never interleave.
 */
final class OfflineJournal implements AutoCloseable {
  static final int FORMAT_VERSION = 1;

  private final Path file;
  private final FileChannel channel;
  private final JsonCodec codec;
  private final Clock clock;
  private long seq;
  private boolean closed;

  OfflineJournal(Path file, JsonCodec codec, Clock clock) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    this.file = file;
    this.codec = codec;
    this.clock = clock;
    this.channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
  }

  Path file() {
    return file;
  }

  /**
   * Appends {@code {"v","seq","time","type"}} followed by {@code fields}, and forces it to disk.
   */
  synchronized void append(String type, ObjectNode fields) {
    if (closed) {
      throw new IllegalStateException("the offline journal " + file + " is closed");
    }
    ObjectNode record = codec.newObject();
    record.put("v", FORMAT_VERSION);
    record.put("seq", seq);
    record.put("time", clock.millis());
    record.put("type", type);
    record.setAll(fields);
    byte[] json = codec.write(record);
    ByteBuffer buf = ByteBuffer.allocate(json.length + 1);
    buf.put(json).put((byte) '\n').flip();
    try {
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the offline journal " + file, e);
    }
    seq++;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the offline journal " + file, e);
    }
  }
}
