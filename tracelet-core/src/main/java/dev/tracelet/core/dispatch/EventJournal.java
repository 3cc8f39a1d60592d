package dev.tracelet.core.dispatch;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.artifact.ArtifactFile;
import dev.tracelet.api.artifact.ArtifactReference;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * One backend's append-only, checksummed spill file for one run: batches that could not be
 * delivered are appended here by the backend's worker and replayed, in order, when the backend
 * recovers — or by a later process that resumes the run.
 *
 * <p>Layout: a 4-byte magic, then records {@code [int length][int crc32c][payload]}; a payload is
 * one {@link EventBatch} or one artifact. An artifact's files are copied beside the journal (in
 * {@code <backend>.artifacts/<record offset>/}) before its record is written, because the files the
 * caller logged may be gone by the time the backend is back; its record holds the artifact's
 * description as JSON. A torn or corrupt tail (the process died mid-write) is detected by its
 * length or checksum and cut off when the journal is opened; everything before it is kept. A cursor
 * file holds the offset of the first record not yet delivered, so a restart replays at most the
 * batch that was in flight. When everything is delivered both files are deleted.
 *
 * <p>Not thread-safe: only the backend's worker uses it.
 */
final class EventJournal implements AutoCloseable {
  private static final int MAGIC = 0x54524a32; // "TRJ2"
  private static final byte EVENTS = 'E';
  private static final byte ARTIFACT = 'A';
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int HEADER = 4;
  private static final int MAX_RECORD = 256 << 20;

  private final Path file;
  private final Path cursorFile;
  private final int maxRecord;
  private final Path artifactsDir;
  private @Nullable FileChannel channel;
  private long readOffset = HEADER;
  private long writeOffset = HEADER;
  private long pendingEvents;
  private long peekedEnd = -1;
  private int peekedSize;
  private @Nullable Path peekedArtifactDir;

  private EventJournal(Path file, int maxRecord) {
    this.file = file;
    this.maxRecord = maxRecord;
    this.cursorFile = file.resolveSibling(file.getFileName() + ".cursor");
    this.artifactsDir =
        file.resolveSibling(file.getFileName().toString().replace(".journal", "") + ".artifacts");
  }

  /** What a journal record holds: a batch of events, or one artifact. */
  sealed interface Entry permits Events, Artifact {
    /** Events this entry counts for in {@link #pendingEvents()} (an artifact counts as one). */
    int size();
  }

  /** A batch of events. */
  record Events(EventBatch batch) implements Entry {
    @Override
    public int size() {
      return batch.size();
    }
  }

  /** An artifact whose files are the journal's own copies. */
  record Artifact(TraceletArtifact artifact) implements Entry {
    @Override
    public int size() {
      return 1;
    }
  }

  /** The journal of {@code backend} for {@code runId} under {@code dir}; reads what is there. */
  static EventJournal open(Path dir, String runId, String backend) throws IOException {
    return open(dir, runId, backend, MAX_RECORD);
  }

  /** As {@link #open(Path, String, String)}, with a smaller record limit for tests. */
  static EventJournal open(Path dir, String runId, String backend, int maxRecord)
      throws IOException {
    EventJournal j = new EventJournal(dir.resolve(runId).resolve(backend + ".journal"), maxRecord);
    j.recover();
    return j;
  }

  Path file() {
    return file;
  }

  boolean hasPending() {
    return readOffset < writeOffset;
  }

  /** Events written and not yet delivered. */
  long pendingEvents() {
    return pendingEvents;
  }

  /** Appends a batch and forces it to disk before returning. */
  void append(EventBatch batch) throws IOException {
    append(batch, true);
  }

  /**
   * Appends a batch; with {@code force} false it reaches the operating system (it survives the
   * process being killed) but is forced to the device only by a later {@link #force()}.
   */
  void append(EventBatch batch, boolean force) throws IOException {
    byte[] payload = withKind(EVENTS, encode(batch));
    if (payload.length > maxRecord && batch.size() > 1) {
      // Too large to be read back as one record: store it as two, in order.
      int half = batch.size() / 2;
      List<Object> all = new ArrayList<>(batch.size());
      all.addAll(batch.metrics());
      all.addAll(batch.params());
      all.addAll(batch.tags());
      append(batchOf(all.subList(0, half)), false);
      append(batchOf(all.subList(half, all.size())), force);
      return;
    }
    if (payload.length > maxRecord) {
      throw new IOException(
          "one event encodes to " + payload.length + " bytes, more than a journal record holds");
    }
    writeRecord(payload, batch.size(), force);
  }

  private static EventBatch batchOf(List<Object> events) {
    List<MetricEvent> metrics = new ArrayList<>();
    List<ParamEvent> params = new ArrayList<>();
    List<TagEvent> tags = new ArrayList<>();
    for (Object e : events) {
      if (e instanceof MetricEvent m) {
        metrics.add(m);
      } else if (e instanceof ParamEvent p) {
        params.add(p);
      } else {
        tags.add((TagEvent) e);
      }
    }
    return new EventBatch(metrics, params, tags);
  }

  /**
   * Copies the artifact's files beside the journal and appends its record, forcing both to disk.
   * References are kept as references (nothing is fetched).
   */
  void appendArtifact(TraceletArtifact artifact) throws IOException {
    channel(); // creates the journal, so writeOffset is where this record goes
    String key = Long.toString(writeOffset);
    Path dir = artifactsDir.resolve(key);
    deleteTree(dir); // left over from a torn record at the same offset
    Files.createDirectories(dir);
    ObjectNode root = JSON.createObjectNode();
    root.put("dir", key);
    root.put("name", artifact.name());
    root.put("type", artifact.type().name());
    root.put("description", artifact.description());
    root.put("created_at", artifact.createdAt().toString());
    ArrayNode files = root.putArray("files");
    for (ArtifactFile f : artifact.files()) {
      Path copy = dir.resolve(f.artifactPath()).normalize();
      if (!copy.startsWith(dir)) {
        throw new IOException("artifact path escapes the journal: " + f.artifactPath());
      }
      Files.createDirectories(copy.getParent());
      Files.copy(f.localPath(), copy, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel c = FileChannel.open(copy, StandardOpenOption.WRITE)) {
        c.force(true);
      }
      ObjectNode n = files.addObject();
      n.put("path", f.artifactPath());
      n.put("description", f.description());
      n.put("size", f.sizeBytes());
      n.put("checksum", f.checksum());
    }
    ArrayNode refs = root.putArray("references");
    for (ArtifactReference r : artifact.references()) {
      ObjectNode n = refs.addObject();
      n.put("uri", r.uri().toString());
      if (r.sizeBytes() != null) {
        n.put("size", r.sizeBytes());
      }
      n.put("description", r.description());
    }
    root.set("metadata", JSON.valueToTree(jsonSafe(artifact.metadata())));
    writeRecord(withKind(ARTIFACT, JSON.writeValueAsBytes(root)), 1, true);
  }

  /** Forces everything appended so far to the device. */
  void force() throws IOException {
    FileChannel ch = channel;
    if (ch != null) {
      ch.force(false);
    }
  }

  private static byte[] withKind(byte kind, byte[] body) {
    byte[] out = new byte[body.length + 1];
    out[0] = kind;
    System.arraycopy(body, 0, out, 1, body.length);
    return out;
  }

  private void writeRecord(byte[] payload, int events, boolean force) throws IOException {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    ByteBuffer buf = ByteBuffer.allocate(8 + payload.length);
    buf.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
    FileChannel ch = channel();
    ch.position(writeOffset);
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    if (force) {
      ch.force(false);
    }
    writeOffset = ch.position();
    pendingEvents += events;
  }

  /** The oldest undelivered entry, or null; the same one until {@link #commit()}. */
  @Nullable Entry peek() throws IOException {
    if (!hasPending()) {
      return null;
    }
    FileChannel ch = channel();
    Record r = readAt(ch, readOffset, writeOffset);
    if (r == null) {
      // Unreadable although it was written by us: cut the journal here rather than loop.
      ch.truncate(readOffset);
      writeOffset = readOffset;
      pendingEvents = 0;
      return null;
    }
    peekedEnd = r.end;
    peekedSize = r.entry.size();
    peekedArtifactDir =
        r.entry instanceof Artifact ? artifactsDir.resolve(Long.toString(readOffset)) : null;
    return r.entry;
  }

  /** Marks the batch returned by {@link #peek()} as delivered. */
  void commit() throws IOException {
    if (peekedEnd < 0) {
      throw new IllegalStateException("nothing peeked");
    }
    readOffset = peekedEnd;
    pendingEvents = Math.max(0, pendingEvents - peekedSize);
    peekedEnd = -1;
    Path delivered = peekedArtifactDir;
    peekedArtifactDir = null;
    if (delivered != null) {
      deleteTree(delivered);
    }
    if (readOffset >= writeOffset) {
      deleteFiles();
    } else {
      // Replaced, never rewritten in place: a process killed mid-write would leave an empty cursor,
      // and the next one would replay the whole journal.
      Path tmp = cursorFile.resolveSibling(cursorFile.getFileName() + ".tmp");
      Files.writeString(tmp, Long.toString(readOffset));
      Files.move(
          tmp, cursorFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private void recover() throws IOException {
    if (!Files.exists(file)) {
      // Left by a process killed between deleting a delivered journal and its cursor.
      Files.deleteIfExists(cursorFile);
      return;
    }
    FileChannel ch = channel();
    long size = ch.size();
    long cursor = HEADER;
    if (Files.exists(cursorFile)) {
      try {
        cursor = Math.max(HEADER, Long.parseLong(Files.readString(cursorFile).trim()));
      } catch (NumberFormatException e) {
        cursor = HEADER;
      }
    }
    long offset = HEADER;
    long pending = 0;
    while (offset < size) {
      Record r = readAt(ch, offset, size);
      if (r == null) {
        break;
      }
      if (offset >= cursor) {
        pending += r.entry.size();
      }
      offset = r.end;
    }
    if (offset < size) {
      ch.truncate(offset);
    }
    writeOffset = offset;
    readOffset = Math.min(cursor, offset);
    pendingEvents = pending;
    if (!hasPending()) {
      deleteFiles();
    }
  }

  private record Record(Entry entry, long end) {}

  private @Nullable Record readAt(FileChannel ch, long offset, long limit) throws IOException {
    if (offset + 8 > limit) {
      return null;
    }
    ByteBuffer head = ByteBuffer.allocate(8);
    readFully(ch, head, offset);
    head.flip();
    int len = head.getInt();
    int crc = head.getInt();
    if (len < 0 || len > maxRecord || offset + 8 + len > limit) {
      return null;
    }
    ByteBuffer body = ByteBuffer.allocate(len);
    readFully(ch, body, offset + 8);
    byte[] payload = body.array();
    CRC32C c = new CRC32C();
    c.update(payload);
    if ((int) c.getValue() != crc) {
      return null;
    }
    try {
      return new Record(decodeEntry(payload), offset + 8 + len);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
    long pos = at;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) {
        throw new EOFException();
      }
      pos += n;
    }
  }

  private FileChannel channel() throws IOException {
    FileChannel ch = channel;
    if (ch == null) {
      Files.createDirectories(file.getParent());
      boolean fresh = !Files.exists(file) || Files.size(file) < HEADER;
      ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      if (fresh) {
        ch.truncate(0);
        ch.write(ByteBuffer.allocate(HEADER).putInt(MAGIC).flip(), 0);
      } else {
        ByteBuffer m = ByteBuffer.allocate(HEADER);
        readFully(ch, m, 0);
        if (m.flip().getInt() != MAGIC) {
          ch.close();
          throw new IOException(file + " is not a Tracelet journal");
        }
      }
      channel = ch;
    }
    return ch;
  }

  private void deleteFiles() throws IOException {
    close();
    // The journal first: a cursor left alone is dropped on the next open, whereas a journal left
    // without its cursor would be replayed from the start.
    Files.deleteIfExists(file);
    Files.deleteIfExists(cursorFile);
    Files.deleteIfExists(cursorFile.resolveSibling(cursorFile.getFileName() + ".tmp"));
    deleteTree(artifactsDir);
    Path dir = file.getParent();
    try (var s = Files.list(dir)) {
      if (s.findAny().isEmpty()) {
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      // Another backend's journal may be appearing in the same folder; leave it.
    }
    readOffset = HEADER;
    writeOffset = HEADER;
    pendingEvents = 0;
  }

  @Override
  public void close() throws IOException {
    FileChannel ch = channel;
    channel = null;
    if (ch != null) {
      ch.close();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  // ---- encoding: a small typed format, no dependency, stable across versions ----

  private Entry decodeEntry(byte[] payload) throws IOException {
    if (payload.length == 0) {
      throw new IOException("empty record");
    }
    byte[] body = java.util.Arrays.copyOfRange(payload, 1, payload.length);
    return switch (payload[0]) {
      case EVENTS -> new Events(decode(body));
      case ARTIFACT -> new Artifact(decodeArtifact(body));
      default -> throw new IOException("unknown record kind " + payload[0]);
    };
  }

  private TraceletArtifact decodeArtifact(byte[] body) throws IOException {
    JsonNode root = JSON.readTree(body);
    Path dir = artifactsDir.resolve(root.path("dir").asText());
    TraceletArtifact base =
        new TraceletArtifact(
            root.path("name").asText(),
            ArtifactType.valueOf(root.path("type").asText()),
            textOrNull(root.get("description")),
            Instant.parse(root.path("created_at").asText()));
    for (JsonNode r : root.path("references")) {
      base.addReference(
          URI.create(r.path("uri").asText()),
          r.hasNonNull("size") ? r.get("size").asLong() : null,
          textOrNull(r.get("description")));
    }
    JSON.convertValue(root.path("metadata"), new TypeReference<Map<String, Object>>() {})
        .forEach(base::putMetadata);
    List<ArtifactFile> files = new ArrayList<>();
    for (JsonNode f : root.path("files")) {
      String path = f.path("path").asText();
      files.add(
          new ArtifactFile(
              dir.resolve(path),
              path,
              textOrNull(f.get("description")),
              f.path("size").asLong(),
              f.path("checksum").asText()));
    }
    return base.withFilesOnly(files);
  }

  private static @Nullable String textOrNull(@Nullable JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  /** Metadata as JSON can hold it: anything that is not a plain value becomes its text. */
  private static Object jsonSafe(@Nullable Object v) {
    if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
      return v == null ? "null" : v;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), jsonSafe(x)));
      return out;
    }
    if (v instanceof Iterable<?> it) {
      List<Object> out = new ArrayList<>();
      it.forEach(x -> out.add(jsonSafe(x)));
      return out;
    }
    return String.valueOf(v);
  }

  static byte[] encode(EventBatch batch) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + batch.size() * 32);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(batch.metrics().size());
    for (MetricEvent m : batch.metrics()) {
      writeString(out, m.name());
      out.writeDouble(m.value());
      out.writeLong(m.step());
      out.writeLong(m.timestamp());
    }
    out.writeInt(batch.params().size());
    for (ParamEvent p : batch.params()) {
      writeString(out, p.key());
      writeValue(out, p.value());
    }
    out.writeInt(batch.tags().size());
    for (TagEvent t : batch.tags()) {
      writeString(out, t.key());
      writeString(out, t.value());
    }
    out.flush();
    return bytes.toByteArray();
  }

  static EventBatch decode(byte[] payload) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
    int nm = in.readInt();
    List<MetricEvent> metrics = new ArrayList<>(nm);
    for (int i = 0; i < nm; i++) {
      metrics.add(new MetricEvent(readString(in), in.readDouble(), in.readLong(), in.readLong()));
    }
    int np = in.readInt();
    List<ParamEvent> params = new ArrayList<>(np);
    for (int i = 0; i < np; i++) {
      params.add(new ParamEvent(readString(in), readValue(in)));
    }
    int nt = in.readInt();
    List<TagEvent> tags = new ArrayList<>(nt);
    for (int i = 0; i < nt; i++) {
      tags.add(new TagEvent(readString(in), readString(in)));
    }
    return new EventBatch(metrics, params, tags);
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_RECORD) {
      throw new IOException("bad string length " + n);
    }
    return new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }

  private static void writeValue(DataOutputStream out, Object v) throws IOException {
    if (v instanceof String s) {
      out.writeByte('S');
      writeString(out, s);
    } else if (v instanceof Boolean b) {
      out.writeByte('B');
      out.writeBoolean(b);
    } else if (v instanceof Long l) {
      out.writeByte('L');
      out.writeLong(l);
    } else if (v instanceof Double d) {
      out.writeByte('D');
      out.writeDouble(d);
    } else if (v instanceof List<?> list) {
      out.writeByte('A');
      out.writeInt(list.size());
      for (Object o : list) {
        writeValue(out, o);
      }
    } else if (v instanceof Map<?, ?> map) {
      out.writeByte('M');
      out.writeInt(map.size());
      for (Map.Entry<?, ?> e : map.entrySet()) {
        writeString(out, String.valueOf(e.getKey()));
        writeValue(out, e.getValue());
      }
    } else {
      out.writeByte('S');
      writeString(out, String.valueOf(v));
    }
  }

  private static Object readValue(DataInputStream in) throws IOException {
    int type = in.readByte();
    switch (type) {
      case 'S':
        return readString(in);
      case 'B':
        return in.readBoolean();
      case 'L':
        return in.readLong();
      case 'D':
        return in.readDouble();
      case 'A':
        {
          int n = in.readInt();
          List<Object> list = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            list.add(readValue(in));
          }
          return List.copyOf(list);
        }
      case 'M':
        {
          int n = in.readInt();
          Map<String, Object> map = new LinkedHashMap<>();
          for (int i = 0; i < n; i++) {
            map.put(readString(in), readValue(in));
          }
          return java.util.Collections.unmodifiableMap(map);
        }
      default:
        throw new IOException("bad value type " + type);
    }
  }
}
