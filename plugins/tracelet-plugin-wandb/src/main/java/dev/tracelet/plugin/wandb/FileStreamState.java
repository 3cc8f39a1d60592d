package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the file stream of one run has sent and still has to send: the history, events and console
 * files with their offsets, and the summary line. Builds each request body from the acknowledged
 * offsets, within W&amp;B's request-size limit, and learns from each answer. Not thread-safe: the
 * session guards it.
 */
final class FileStreamState {
  static final String HISTORY = "wandb-history.jsonl";
  static final String EVENTS = "wandb-events.jsonl";
  static final String OUTPUT = "output.log";
  static final String SUMMARY = "wandb-summary.json";

  /** W&amp;B takes about 10 MiB per request ({@code 10<<20} in wandb-core); we keep a margin. */
  static final long MAX_REQUEST_BYTES = (10L << 20) - (256L << 10);

  /** W&amp;B drops history and summary lines longer than this (10 MiB − 100 KiB). */
  static final long MAX_LINE_BYTES = (10L << 20) - (100L << 10);

  /**
   * One request body and what it carries.
   *
   * @param counts lines taken from each file, in the order of {@link #files}
   * @param summaryVersion the summary version it carries, or -1
   * @param complete whether it ends the run
   */
  record Request(ObjectNode body, List<Integer> counts, long summaryVersion, boolean complete) {
    Request {
      counts = List.copyOf(counts);
    }

    int lines() {
      int n = 0;
      for (int c : counts) {
        n += c;
      }
      return n;
    }
  }

  private final List<LineFile> files;
  private final LineFile history;
  private final LineFile events;
  private final LineFile output;
  private @Nullable String summaryLine;
  private long summaryVersion;
  private long summarySentVersion;
  private final long maxRequestBytes;

  FileStreamState(long historyOffset, long eventsOffset, long outputOffset) {
    this(historyOffset, eventsOffset, outputOffset, MAX_REQUEST_BYTES);
  }

  FileStreamState(long historyOffset, long eventsOffset, long outputOffset, long maxRequestBytes) {
    this.history = new LineFile(HISTORY, historyOffset);
    this.events = new LineFile(EVENTS, eventsOffset);
    this.output = new LineFile(OUTPUT, outputOffset);
    this.files = List.of(history, events, output);
    this.maxRequestBytes = maxRequestBytes;
  }

  LineFile history() {
    return history;
  }

  LineFile events() {
    return events;
  }

  LineFile output() {
    return output;
  }

  void setSummary(String line) {
    if (!line.equals(summaryLine)) {
      summaryLine = line;
      summaryVersion++;
    }
  }

  boolean summaryDirty() {
    return summaryLine != null && summaryVersion != summarySentVersion;
  }

  boolean hasPending() {
    return history.hasPending() || events.hasPending() || output.hasPending() || summaryDirty();
  }

  long pendingBytes() {
    return history.pendingBytes() + events.pendingBytes() + output.pendingBytes();
  }

  /**
   * The next request: the pending lines of each file from its acknowledged offset, as many as fit,
   * and the summary when it changed. With {@code exitCode} set, the request that leaves nothing
   * pending also carries {@code complete} and {@code exitcode}.
   */
  Request next(@Nullable Integer exitCode) {
    ObjectNode body = ExtendedJson.object();
    ObjectNode filesNode = ExtendedJson.object();
    long budget = maxRequestBytes;
    long sentSummary = -1;
    String summary = summaryLine;
    if (summaryDirty() && summary != null) {
      // The summary goes first: it is one small line and it is what the UI shows at a glance.
      budget -= LineFile.encodedSize(summary) + 64;
      ObjectNode s = filesNode.putObject(SUMMARY);
      s.put("offset", 0);
      s.putArray("content").add(summary);
      sentSummary = summaryVersion;
    }
    List<Integer> counts = new ArrayList<>();
    boolean everything = true;
    for (int i = 0; i < files.size(); i++) {
      LineFile f = files.get(i);
      List<String> lines = f.hasPending() ? f.chunk(budget - 64) : List.of();
      counts.add(lines.size());
      if (lines.size() < f.pendingLines()) {
        everything = false;
      }
      if (lines.isEmpty()) {
        continue;
      }
      ObjectNode node = filesNode.putObject(f.name());
      node.put("offset", f.acked());
      ArrayNode content = node.putArray("content");
      long used = 64;
      for (String line : lines) {
        content.add(line);
        used += LineFile.encodedSize(line);
      }
      budget -= used;
    }
    if (!filesNode.isEmpty()) {
      body.set("files", filesNode);
    }
    boolean complete = exitCode != null && everything;
    if (complete) {
      body.put("complete", true);
      body.put("exitcode", exitCode);
    }
    return new Request(body, counts, sentSummary, complete);
  }

  /** The server took {@code request}. */
  void accepted(Request request) {
    for (int i = 0; i < files.size(); i++) {
      files.get(i).acknowledge(request.counts().get(i));
    }
    if (request.summaryVersion() >= 0) {
      summarySentVersion = request.summaryVersion();
    }
  }

  /**
   * The server refused {@code request} for good (a 4xx that no retry heals): its lines are dropped
   * without moving any offset; the summary counts as sent, so only a change re-sends it.
   */
  void refused(Request request) {
    for (int i = 0; i < files.size(); i++) {
      files.get(i).discard(request.counts().get(i));
    }
    if (request.summaryVersion() >= 0) {
      summarySentVersion = request.summaryVersion();
    }
  }

  /**
   * Drops the first pending line of the first file that has one, for a line too long to fit any
   * request; returns the file's name.
   */
  String dropUnsendable() {
    for (LineFile f : files) {
      if (f.hasPending()) {
        f.discard(1);
        return f.name();
      }
    }
    throw new IllegalStateException("no pending line to drop");
  }

  /** Names of the files with pending lines and how many, for messages. */
  String describePending() {
    List<String> parts = new ArrayList<>();
    for (LineFile f : files) {
      if (f.hasPending()) {
        parts.add(f.pendingLines() + " lines of " + f.name());
      }
    }
    return parts.isEmpty() ? "nothing" : String.join(", ", parts);
  }
}
