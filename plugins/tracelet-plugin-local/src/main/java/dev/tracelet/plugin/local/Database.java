package dev.tracelet.plugin.local;

import dev.tracelet.api.BackendException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.jdbc4.JDBC4Connection;

/**
 * The SQLite database of one store: opens configured connections, keeps a few idle ones for the
 * read side, and runs transactions.
 *
 * <p>Connections are created with {@code new JDBC4Connection(..)} rather than through {@link
 * java.sql.DriverManager}: loading {@code org.sqlite.JDBC} registers the driver globally, and that
 * registration would keep the plugin's class loader alive after PF4J unloads it.
 *
 * <p>Write transactions use {@code BEGIN IMMEDIATE}: the write lock is taken up front, so two
 * processes never deadlock upgrading a read lock (SQLITE_BUSY_SNAPSHOT), and the busy timeout makes
 * writers queue instead of failing. Statements are issued explicitly because sqlite-jdbc's own
 * non-autocommit mode re-opens a transaction right after each commit and would hold the lock.
 */
final class Database implements AutoCloseable {
  static final String FILE_NAME = "tracelet.db";
  private static final int MAX_IDLE = 4;

  private final Path file;
  private final int busyTimeoutMs;
  private final BlockingQueue<Connection> idle = new ArrayBlockingQueue<>(MAX_IDLE);
  private volatile boolean closed;

  private Database(Path file, int busyTimeoutMs) {
    this.file = file;
    this.busyTimeoutMs = busyTimeoutMs;
  }

  /** Opens (creating if needed) the database at {@code file} and brings its schema up to date. */
  static Database open(Path file, int busyTimeoutMs) {
    Database db = new Database(file, busyTimeoutMs);
    Connection c = null;
    try {
      c = db.connect();
      Schema.migrate(c, file);
    } catch (SQLException e) {
      if (c != null) {
        closeQuietly(c);
      }
      throw failure("cannot open the store database " + file, e);
    } catch (RuntimeException e) {
      if (c != null) {
        closeQuietly(c);
      }
      throw e;
    }
    // Kept open (idle) while the store is: when the last connection to a WAL database closes,
    // SQLite checkpoints and deletes the WAL, which would make every session's close a full
    // checkpoint with an fsync.
    db.idle.add(c);
    return db;
  }

  Path file() {
    return file;
  }

  /** A new connection with the store's pragmas; the caller closes it. */
  Connection connect() throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(busyTimeoutMs);
    // NORMAL in WAL mode: a commit survives the process being killed (it is in the OS's page
    // cache); only a power loss can take back the last commits, never corrupt the file.
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.enforceForeignKeys(true);
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    String url = "jdbc:sqlite:" + file;
    Connection c;
    // Loading the native library, sqlite-jdbc runs small programs (readelf, uname), and the JDK
    // starts its "process reaper" thread for them. A new thread inherits the context class loader,
    // which the host sets to this plugin's: the reaper would then pin the plugin's loader after
    // unload. So no context loader while connecting.
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(null);
    try {
      c = new JDBC4Connection(url, file.toString(), config.toProperties());
    } finally {
      thread.setContextClassLoader(previous);
    }
    try {
      enableWal(c);
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /**
   * WAL is persistent once set, but the first switch needs an exclusive lock that the busy handler
   * does not always wait for, so several processes creating one store at once retry here.
   */
  private void enableWal(Connection c) throws SQLException {
    long deadline = System.nanoTime() + busyTimeoutMs * 1_000_000L;
    while (true) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        return;
      } catch (SQLException e) {
        if (!isBusy(e) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.onSpinWait();
        Thread.yield();
      }
    }
  }

  static boolean isBusy(SQLException e) {
    int code = e.getErrorCode();
    return code == SQLiteErrorCode.SQLITE_BUSY.code
        || code == SQLiteErrorCode.SQLITE_LOCKED.code
        || (e.getMessage() != null && e.getMessage().contains("SQLITE_BUSY"));
  }

  /** Runs {@code work} in a write transaction on a pooled connection. */
  <T> T write(String what, Sql.Work<T> work) {
    return withConnection(what, c -> inWriteTransaction(c, work));
  }

  /** Runs {@code work} in a read transaction (one consistent snapshot) on a pooled connection. */
  <T> T read(String what, Sql.Work<T> work) {
    return withConnection(what, c -> inReadTransaction(c, work));
  }

  private <T> T withConnection(String what, Sql.Work<T> work) {
    if (closed) {
      throw new IllegalStateException("the local store " + file.getParent() + " is closed");
    }
    Connection c = idle.poll();
    try {
      if (c == null) {
        c = connect();
      }
      return work.run(c);
    } catch (SQLException e) {
      throw failure(what, e);
    } finally {
      release(c);
    }
  }

  private void release(@Nullable Connection c) {
    if (c == null) {
      return;
    }
    if (closed || !idle.offer(c)) {
      closeQuietly(c);
    }
  }

  /**
   * Runs {@code work} between {@code BEGIN IMMEDIATE} and {@code COMMIT}; rolls back on failure.
   */
  static <T> T inWriteTransaction(Connection c, Sql.Work<T> work) throws SQLException {
    return inTransaction(c, "BEGIN IMMEDIATE", work);
  }

  static <T> T inReadTransaction(Connection c, Sql.Work<T> work) throws SQLException {
    return inTransaction(c, "BEGIN", work);
  }

  private static <T> T inTransaction(Connection c, String begin, Sql.Work<T> work)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(begin);
    }
    boolean committed = false;
    try {
      T result = work.run(c);
      try (Statement s = c.createStatement()) {
        s.execute("COMMIT");
      }
      committed = true;
      return result;
    } finally {
      if (!committed) {
        rollbackQuietly(c);
      }
    }
  }

  private static void rollbackQuietly(Connection c) {
    try (Statement s = c.createStatement()) {
      s.execute("ROLLBACK");
    } catch (SQLException ignored) {
      // No transaction open any more (SQLite rolls back by itself on some errors).
    }
  }

  static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // Closing is best effort: the handle is gone either way.
    }
  }

  static BackendException failure(String what, SQLException e) {
    String hint =
        isBusy(e)
            ? " The store stayed locked by another process longer than local.busy_timeout_ms;"
                + " raise it or find the process holding the lock."
            : "";
    return new BackendException(LocalBackendPlugin.NAME, what + ": " + e.getMessage() + hint, e);
  }

  @Override
  public void close() {
    closed = true;
    Connection c;
    while ((c = idle.poll()) != null) {
      closeQuietly(c);
    }
  }
}
