package dev.tracelet.plugin.local;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.plugin.local.ArtifactIndex.StoredArtifact;
import dev.tracelet.plugin.local.MetricChunkCodec.Points;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One run's connection to the local store. It owns a dedicated SQLite connection (the host calls a
 * session from one worker at a time), and each {@link #log} is one transaction: all of a batch is
 * stored or none of it.
 *
 * <p>Retries are safe: a batch's metrics are fingerprinted (SHA-256) and a fingerprint already
 * recorded for the run is skipped, so a batch whose commit succeeded before an error reached the
 * host, or that a journal replays after a crash, does not leave duplicate points. The price: a
 * batch identical in every point (names, steps, millisecond timestamps and values) to one already
 * stored for the run is taken for a redelivery. Tags are upserts and equal parameters are accepted
 * again. A parameter logged again with a different value is refused with a {@link BackendException}
 * naming the key and both values, after the rest of the batch has been committed, so retrying the
 * batch stores nothing twice.
 */
final class LocalSession implements BackendSession {
  /** Points per stored chunk; a larger batch of one key is split. */
  static final int CHUNK_POINTS = 8192;

  static final int MAX_BATCH_EVENTS = 10_000;
  static final String CAPTURE_ARTIFACT = "tracelet-capture";

  private final LocalStore store;
  private final Connection conn;
  private final RunRow run;
  private final Map<String, Long> seriesIds = new HashMap<>();
  private final MessageDigest sha = ArtifactFiles.sha256();
  private boolean closed;

  private LocalSession(LocalStore store, Connection conn, RunRow run) {
    this.store = store;
    this.conn = conn;
    this.run = run;
  }

  /**
   * Creates the run (or continues it when {@code context.resumed()}), then captures its context.
   */
  static LocalSession open(LocalStore store, BackendContext context) {
    String runId = Names.runId(context.runId());
    String project = Names.experimentName(context.project());
    String name = Names.key(context.experimentName(), "experiment name");
    Connection conn;
    try {
      conn = store.db().connect();
    } catch (SQLException e) {
      throw Database.failure("cannot connect to the store " + store.root(), e);
    }
    try {
      RunRow row =
          Database.inWriteTransaction(conn, c -> createOrResume(c, runId, project, name, context));
      LocalSession session = new LocalSession(store, conn, row);
      session.capture(context);
      return session;
    } catch (SQLException e) {
      Database.closeQuietly(conn);
      throw Database.failure("cannot start run " + runId, e);
    } catch (RuntimeException e) {
      Database.closeQuietly(conn);
      throw e;
    }
  }

  private static RunRow createOrResume(
      Connection c, String runId, String project, String name, BackendContext context)
      throws SQLException {
    long now = System.currentTimeMillis();
    long experimentId = ExperimentRow.getOrCreate(c, project, now);
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM retired_run_ids WHERE id = ?")) {
      ps.setString(1, runId);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw new BackendException(
              LocalBackendPlugin.NAME,
              "run id " + runId + " belonged to a purged run and is never reused; start a new run");
        }
      }
    }
    ProcessOwner owner = ProcessOwner.current();
    Optional<RunRow> existing = RunRow.find(c, runId);
    if (existing.isPresent()) {
      RunRow old = existing.get();
      if (!context.resumed()) {
        throw new BackendException(
            LocalBackendPlugin.NAME,
            "run id "
                + runId
                + " already exists in "
                + c.getMetaData().getURL()
                + "; run ids must be unique: start a new run, or resume this one explicitly");
      }
      if (old.deleted()) {
        throw new BackendException(
            LocalBackendPlugin.NAME,
            "run " + runId + " was deleted; restore it with restoreRun before resuming it");
      }
      if (old.experimentId() != experimentId) {
        throw new BackendException(
            LocalBackendPlugin.NAME,
            "run "
                + runId
                + " belongs to experiment "
                + old.experimentId()
                + ", not to '"
                + project
                + "'; resume it with its own project");
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE runs SET status = 'RUNNING', end_time = NULL, last_seen = ?,"
                  + " owner_host = ?, owner_boot = ?, owner_pid = ?, owner_start = ?"
                  + " WHERE seq = ?")) {
        ps.setLong(1, now);
        setOwner(ps, 2, owner);
        ps.setLong(6, old.seq());
        ps.executeUpdate();
      }
    } else {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO runs(id, experiment_id, name, status, start_time, last_seen,"
                  + " owner_host, owner_boot, owner_pid, owner_start)"
                  + " VALUES (?, ?, ?, 'RUNNING', ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, runId);
        ps.setLong(2, experimentId);
        ps.setString(3, name);
        ps.setLong(4, context.startTime().toEpochMilli());
        ps.setLong(5, now);
        setOwner(ps, 6, owner);
        ps.executeUpdate();
      }
    }
    RunRow row = RunRow.find(c, runId).orElseThrow();
    List<TagEvent> tags = new ArrayList<>();
    for (String tag : context.tags()) {
      int eq = tag.indexOf('=');
      tags.add(
          eq > 0
              ? new TagEvent(tag.substring(0, eq), tag.substring(eq + 1))
              : new TagEvent(tag, ""));
    }
    writeTags(c, row.seq(), tags);
    return row;
  }

  private static void setOwner(PreparedStatement ps, int from, ProcessOwner owner)
      throws SQLException {
    ps.setString(from, owner.host());
    ps.setString(from + 1, owner.bootId());
    ps.setLong(from + 2, owner.pid());
    if (owner.startMillis() == null) {
      ps.setNull(from + 3, Types.INTEGER);
    } else {
      ps.setLong(from + 3, owner.startMillis());
    }
  }

  /** Records git, environment and arguments as configured; a failure here never fails the run. */
  private void capture(BackendContext context) {
    try {
      boolean captured =
          Database.inReadTransaction(
              conn, c -> ArtifactIndex.find(c, run.seq(), CAPTURE_ARTIFACT).isPresent());
      if (captured) {
        return; // a resumed run keeps what its first start recorded
      }
      RunCapture.Result result =
          RunCapture.capture(
              context.experimentConfig(),
              java.nio.file.Path.of(System.getProperty("user.dir")),
              store.settings().codeSnapshotMaxBytes(),
              store.logger());
      if (!result.tags().isEmpty()) {
        List<TagEvent> tags = new ArrayList<>();
        result.tags().forEach((k, v) -> tags.add(new TagEvent(k, v)));
        Database.inWriteTransaction(
            conn,
            c -> {
              writeTags(c, run.seq(), tags);
              return null;
            });
      }
      if (!result.files().isEmpty()) {
        java.nio.file.Path dir = context.scratchDir().resolve("capture-" + run.id());
        try {
          TraceletArtifact a =
              new TraceletArtifact(
                  CAPTURE_ARTIFACT,
                  ArtifactType.CODE,
                  "What the run captured at start: environment, arguments, git state and diff");
          for (Map.Entry<String, byte[]> f : result.files().entrySet()) {
            java.nio.file.Path p = dir.resolve(f.getKey());
            java.nio.file.Files.createDirectories(p.getParent());
            java.nio.file.Files.write(p, f.getValue());
            a.addFile(p, f.getKey(), null);
          }
          store.logArtifact(conn, run, a);
        } finally {
          ArtifactFiles.deleteTree(dir);
        }
      }
    } catch (Exception e) {
      store
          .logger()
          .log(
              System.Logger.Level.WARNING,
              "could not record the run context of " + run.id() + "; the run goes on without it",
              e);
    }
  }

  @Override
  public BackendCapabilities capabilities() {
    return new BackendCapabilities(MAX_BATCH_EVENTS, true, java.util.Set.of(), true);
  }

  String runId() {
    return run.id();
  }

  @Override
  public void log(EventBatch batch) {
    requireOpen();
    if (batch.isEmpty()) {
      return;
    }
    for (MetricEvent m : batch.metrics()) {
      validate(m.name(), "metric name");
    }
    for (ParamEvent p : batch.params()) {
      validate(p.key(), "parameter key");
    }
    for (TagEvent t : batch.tags()) {
      validate(t.key(), "tag key");
    }
    byte[] digest = batch.metrics().isEmpty() ? null : digest(batch.metrics());
    Map<String, Long> created = new HashMap<>();
    List<String> refused;
    try {
      refused =
          Database.inWriteTransaction(
              conn,
              c -> {
                List<String> conflicts = writeParams(c, run.seq(), batch.params());
                writeTags(c, run.seq(), batch.tags());
                if (digest != null && firstDelivery(c, digest)) {
                  writeMetrics(c, batch.metrics(), created);
                }
                touch(c);
                return conflicts;
              });
    } catch (SQLException e) {
      throw Database.failure("cannot store a batch of " + batch.size() + " events", e);
    }
    // Only ids of series whose insert committed may be cached.
    seriesIds.putAll(created);
    if (!refused.isEmpty()) {
      throw new BackendException(
          LocalBackendPlugin.NAME,
          String.join("; ", refused)
              + ". Parameters are write-once: log the new value under a new key or start a new run"
              + " (the rest of the batch was stored)");
    }
  }

  private static void validate(String key, String what) {
    try {
      Names.key(key, what);
    } catch (IllegalArgumentException e) {
      throw new BackendException(LocalBackendPlugin.NAME, e.getMessage(), e);
    }
  }

  private byte[] digest(List<MetricEvent> metrics) {
    sha.reset();
    ByteBuffer buf = ByteBuffer.allocate(24);
    for (MetricEvent m : metrics) {
      sha.update(m.name().getBytes(StandardCharsets.UTF_8));
      buf.clear();
      buf.putLong(Double.doubleToRawLongBits(m.value())).putLong(m.step()).putLong(m.timestamp());
      sha.update(buf.array());
    }
    return sha.digest();
  }

  private boolean firstDelivery(Connection c, byte[] digest) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT OR IGNORE INTO metric_batches(run_seq, digest) VALUES (?, ?)")) {
      ps.setLong(1, run.seq());
      ps.setBytes(2, digest);
      return ps.executeUpdate() == 1;
    }
  }

  private void writeMetrics(Connection c, List<MetricEvent> metrics, Map<String, Long> created)
      throws SQLException {
    Map<String, Points> byKey = new LinkedHashMap<>();
    Points last = null;
    String lastKey = null;
    for (MetricEvent m : metrics) {
      // Consecutive events usually share a key: skip the map lookup then.
      if (!m.name().equals(lastKey)) {
        lastKey = m.name();
        last = byKey.computeIfAbsent(lastKey, k -> new Points(64));
      }
      last.add(m.step(), m.timestamp(), m.value());
    }
    try (PreparedStatement chunk =
            c.prepareStatement(
                "INSERT INTO metric_chunks(series_id, points, data) VALUES (?, ?, ?)");
        PreparedStatement update =
            c.prepareStatement(
                "UPDATE metric_series SET points = points + ?1,"
                    + " last_value = CASE WHEN ?2 > last_step OR (?2 = last_step AND ?3 >= last_ts)"
                    + " THEN ?4 ELSE last_value END,"
                    + " last_ts = CASE WHEN ?2 > last_step OR (?2 = last_step AND ?3 >= last_ts)"
                    + " THEN ?3 ELSE last_ts END,"
                    + " last_step = MAX(last_step, ?2) WHERE id = ?5")) {
      for (Map.Entry<String, Points> e : byKey.entrySet()) {
        Points p = e.getValue();
        int latest = latestIndex(p);
        Long seriesId = seriesIds.get(e.getKey());
        if (seriesId == null) {
          seriesId = created.get(e.getKey());
        }
        if (seriesId == null) {
          seriesId = findSeries(c, e.getKey());
        }
        if (seriesId == null) {
          seriesId = insertSeries(c, e.getKey(), p, latest);
          created.put(e.getKey(), seriesId);
        } else {
          update.setInt(1, p.size);
          update.setLong(2, p.steps[latest]);
          update.setLong(3, p.timestamps[latest]);
          setValue(update, 4, p.values[latest]);
          update.setLong(5, seriesId);
          update.executeUpdate();
        }
        for (int from = 0; from < p.size; from += CHUNK_POINTS) {
          int to = Math.min(p.size, from + CHUNK_POINTS);
          chunk.setLong(1, seriesId);
          chunk.setInt(2, to - from);
          chunk.setBytes(3, MetricChunkCodec.encode(p, from, to));
          chunk.executeUpdate();
        }
      }
    }
  }

  /** The latest point: highest step, then latest timestamp, then last logged. */
  private static int latestIndex(Points p) {
    int best = 0;
    for (int i = 1; i < p.size; i++) {
      if (p.steps[i] > p.steps[best]
          || (p.steps[i] == p.steps[best] && p.timestamps[i] >= p.timestamps[best])) {
        best = i;
      }
    }
    return best;
  }

  /** SQLite stores NaN as NULL; the schema documents NULL (with points &gt; 0) as NaN. */
  private static void setValue(PreparedStatement ps, int index, double v) throws SQLException {
    if (Double.isNaN(v)) {
      ps.setNull(index, Types.REAL);
    } else {
      ps.setDouble(index, v);
    }
  }

  private @Nullable Long findSeries(Connection c, String key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT id FROM metric_series WHERE run_seq = ? AND key = ?")) {
      ps.setLong(1, run.seq());
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : null;
      }
    }
  }

  private long insertSeries(Connection c, String key, Points p, int latest) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO metric_series(run_seq, key, points, last_step, last_ts, last_value)"
                + " VALUES (?, ?, ?, ?, ?, ?)",
            Statement.RETURN_GENERATED_KEYS)) {
      ps.setLong(1, run.seq());
      ps.setString(2, key);
      ps.setInt(3, p.size);
      ps.setLong(4, p.steps[latest]);
      ps.setLong(5, p.timestamps[latest]);
      setValue(ps, 6, p.values[latest]);
      ps.executeUpdate();
      try (ResultSet keys = ps.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  /** Inserts new parameters; returns a message for each that would change a stored value. */
  static List<String> writeParams(Connection c, long runSeq, List<ParamEvent> params)
      throws SQLException {
    if (params.isEmpty()) {
      return List.of();
    }
    List<String> refused = new ArrayList<>();
    try (PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO params(run_seq, key, value, kind) VALUES (?, ?, ?, ?)"
                    + " ON CONFLICT(run_seq, key) DO NOTHING");
        PreparedStatement select =
            c.prepareStatement("SELECT value FROM params WHERE run_seq = ? AND key = ?")) {
      for (ParamEvent p : params) {
        String value = p.valueAsString();
        insert.setLong(1, runSeq);
        insert.setString(2, p.key());
        insert.setString(3, value);
        insert.setString(4, ParamValues.kind(p.value()));
        if (insert.executeUpdate() == 1) {
          continue;
        }
        select.setLong(1, runSeq);
        select.setString(2, p.key());
        try (ResultSet rs = select.executeQuery()) {
          rs.next();
          String old = rs.getString(1);
          if (!old.equals(value)) {
            refused.add(
                "parameter '"
                    + p.key()
                    + "' already has the value '"
                    + old
                    + "'; refusing the new value '"
                    + value
                    + "'");
          }
        }
      }
    }
    return refused;
  }

  static void writeTags(Connection c, long runSeq, List<TagEvent> tags) throws SQLException {
    if (tags.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO run_tags(run_seq, key, value) VALUES (?, ?, ?)"
                + " ON CONFLICT(run_seq, key) DO UPDATE SET value = excluded.value")) {
      for (TagEvent t : tags) {
        ps.setLong(1, runSeq);
        ps.setString(2, t.key());
        ps.setString(3, t.value());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private void touch(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE runs SET last_seen = ? WHERE seq = ?")) {
      ps.setLong(1, System.currentTimeMillis());
      ps.setLong(2, run.seq());
      if (ps.executeUpdate() == 0) {
        throw new BackendException(
            LocalBackendPlugin.NAME,
            "run " + run.id() + " was purged from the store while it was logging");
      }
    }
  }

  @Override
  public ArtifactResult logArtifact(TraceletArtifact artifact) {
    requireOpen();
    return store.logArtifact(conn, run, artifact);
  }

  @Override
  public Optional<TraceletArtifact> getArtifact(String name, @Nullable String version) {
    requireOpen();
    try {
      Optional<StoredArtifact> found =
          Database.inReadTransaction(conn, c -> ArtifactIndex.find(c, run.seq(), name));
      return found
          .filter(
              a ->
                  version == null
                      || version.isEmpty()
                      || version.equals("latest")
                      || (version.length() >= 8 && a.digest().startsWith(version)))
          .map(a -> a.toArtifact(store.files().artifactDir(run.id(), a.name())));
    } catch (SQLException e) {
      throw Database.failure("cannot read artifact '" + name + "'", e);
    }
  }

  @Override
  public List<TraceletArtifact> listArtifacts(@Nullable ArtifactType type) {
    requireOpen();
    try {
      List<StoredArtifact> all =
          Database.inReadTransaction(conn, c -> ArtifactIndex.list(c, run.seq()));
      List<TraceletArtifact> result = new ArrayList<>();
      for (StoredArtifact a : all) {
        if (type == null || a.type() == type) {
          result.add(a.toArtifact(store.files().artifactDir(run.id(), a.name())));
        }
      }
      return result;
    } catch (SQLException e) {
      throw Database.failure("cannot list artifacts", e);
    }
  }

  @Override
  public Optional<RunStore> store() {
    return Optional.of(store.runStore());
  }

  /**
   * Ends the run with {@code status} and closes the connection. {@link RunStatus#RUNNING} only
   * detaches: the run stays open for another process that shares it.
   */
  @Override
  public void close(RunStatus status) {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (status.isTerminal()) {
        Database.inWriteTransaction(
            conn,
            c -> {
              long now = System.currentTimeMillis();
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "UPDATE runs SET status = ?, end_time = ?, last_seen = ? WHERE seq = ?")) {
                ps.setString(1, status.name());
                ps.setLong(2, now);
                ps.setLong(3, now);
                ps.setLong(4, run.seq());
                ps.executeUpdate();
              }
              return null;
            });
      }
    } catch (SQLException e) {
      throw Database.failure("cannot end run " + run.id() + " as " + status, e);
    } finally {
      Database.closeQuietly(conn);
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the local session of run " + run.id() + " is closed");
    }
  }
}
