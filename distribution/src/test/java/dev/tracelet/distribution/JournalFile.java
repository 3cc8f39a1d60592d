package dev.tracelet.distribution;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A backend's journal file as a killed process left it, read from the outside with the layout the
 * runtime's {@code EventJournal} documents: a 4-byte magic, then records {@code [int length][int
 * crc32c][payload]}, each payload a kind byte ({@code 'E'} a batch of events, beginning with its
 * number of metric events; {@code 'A'} an artifact) and its body. Reading stops at the first record
 * that is cut short or fails its checksum: the torn tail.
 *
 * @param records the intact records, in order
 * @param size the file's size; more than the last record's end when the tail is torn
 */
record JournalFile(List<Record> records, long size) {
  private static final int MAGIC = 0x54524a32; // "TRJ2"
  private static final int HEADER = 4;

  /**
   * One intact record: where it starts and ends in the file, and its metric events (0 for an
   * artifact).
   */
  record Record(long offset, long end, int metrics) {}

  static JournalFile read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    if (bytes.length < HEADER || buf.getInt(0) != MAGIC) {
      throw new AssertionError(file + " does not start with the journal's magic number");
    }
    List<Record> records = new ArrayList<>();
    int offset = HEADER;
    while (offset + 8 <= bytes.length) {
      int len = buf.getInt(offset);
      int crc = buf.getInt(offset + 4);
      if (len < 1 || offset + 8L + len > bytes.length) {
        break;
      }
      CRC32C c = new CRC32C();
      c.update(bytes, offset + 8, len);
      if ((int) c.getValue() != crc) {
        break;
      }
      boolean events = bytes[offset + 8] == 'E';
      records.add(new Record(offset, offset + 8L + len, events ? buf.getInt(offset + 9) : 0));
      offset += 8 + len;
    }
    return new JournalFile(List.copyOf(records), bytes.length);
  }

  /** The offset the cursor file beside {@code file} holds, if there is one. */
  static Optional<Long> cursor(Path file) throws IOException {
    Path cursor = file.resolveSibling(file.getFileName() + ".cursor");
    return Files.exists(cursor)
        ? Optional.of(Long.parseLong(Files.readString(cursor).strip()))
        : Optional.empty();
  }

  /** Where the intact records end. */
  long intactEnd() {
    return records.isEmpty() ? HEADER : records.get(records.size() - 1).end();
  }

  /** Metric events in the intact records. */
  long metrics() {
    return records.stream().mapToLong(Record::metrics).sum();
  }

  /**
   * Cuts {@code file} in the middle of its last record's payload, as a process killed while writing
   * that record would leave it.
   */
  static void tearLastRecord(Path file, Record last) throws IOException {
    long payload = last.end() - last.offset() - 8;
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(last.offset() + 8 + payload / 2);
    }
  }
}
