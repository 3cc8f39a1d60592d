package dev.tracelet.plugin.wandb;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One append-only file of the file stream ({@code wandb-history.jsonl}, {@code wandb-events.jsonl},
 * {@code output.log}): the number of lines the server has acknowledged, and the lines written after
 * them that it has not. A request always starts at the acknowledged offset, so a request that
 * failed (or whose answer was lost) is sent again with the same offset and the same first lines,
 * and the server never sees a gap or a line twice at different offsets. Not thread-safe.
 */
final class LineFile {
  /** JSON string quotes, the separating comma, and slack. */
  private static final int PER_LINE_OVERHEAD = 4;

  private final String name;
  private long acked;
  private final ArrayDeque<String> pending = new ArrayDeque<>();
  private final ArrayDeque<Long> pendingSizes = new ArrayDeque<>();
  private long pendingBytes;

  LineFile(String name, long acked) {
    this.name = name;
    this.acked = acked;
  }

  String name() {
    return name;
  }

  /** Lines the server holds; the offset of the next request. */
  long acked() {
    return acked;
  }

  void append(String line) {
    long size = encodedSize(line);
    pending.add(line);
    pendingSizes.add(size);
    pendingBytes += size;
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  int pendingLines() {
    return pending.size();
  }

  /** Bytes the pending lines take inside a request body. */
  long pendingBytes() {
    return pendingBytes;
  }

  /**
   * The first pending lines whose encoded size fits {@code budget}, in order; at least one line
   * when there is one and it fits, never a line that does not.
   */
  List<String> chunk(long budget) {
    List<String> out = new ArrayList<>();
    long used = 0;
    Iterator<String> lines = pending.iterator();
    Iterator<Long> sizes = pendingSizes.iterator();
    while (lines.hasNext()) {
      String line = lines.next();
      long size = sizes.next();
      if (used + size > budget) {
        break;
      }
      out.add(line);
      used += size;
    }
    return out;
  }

  /** The server took the first {@code n} pending lines. */
  void acknowledge(int n) {
    drop(n);
    acked += n;
  }

  /**
   * The server refused the first {@code n} pending lines for good: they are dropped and the offset
   * stays, since the server did not store them.
   */
  void discard(int n) {
    drop(n);
  }

  private void drop(int n) {
    if (n > pending.size()) {
      throw new IllegalStateException(name + ": " + n + " > " + pending.size() + " pending lines");
    }
    for (int i = 0; i < n; i++) {
      pending.removeFirst();
      pendingBytes -= pendingSizes.removeFirst();
    }
  }

  /** The size of {@code line} as a JSON string in UTF-8, escapes included, plus overhead. */
  static long encodedSize(String line) {
    long n = PER_LINE_OVERHEAD;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"' || c == '\\') {
        n += 2;
      } else if (c < 0x20) {
        n += 6;
      } else if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
