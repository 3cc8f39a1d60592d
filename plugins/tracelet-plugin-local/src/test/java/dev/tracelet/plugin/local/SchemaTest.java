package dev.tracelet.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.BackendException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaTest {
  @TempDir Path temp;

  @Test
  void aNewStoreIsInWalModeAtTheLatestVersionAndReopensUnchanged() throws Exception {
    Path file = temp.resolve(Database.FILE_NAME);
    try (Database db = Database.open(file, 5_000);
        Connection c = db.connect();
        Statement s = c.createStatement()) {
      assertThat(Schema.version(c)).isEqualTo(Schema.LATEST);
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("wal");
      }
      try (ResultSet rs = s.executeQuery("PRAGMA foreign_keys")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
    try (Database again = Database.open(file, 5_000);
        Connection c = again.connect()) {
      assertThat(Schema.version(c)).isEqualTo(Schema.LATEST);
    }
  }

  @Test
  void aStoreFromANewerPluginIsRefusedWithAnUpgradeHint() throws Exception {
    Path file = temp.resolve(Database.FILE_NAME);
    try (Database db = Database.open(file, 5_000);
        Connection c = db.connect();
        Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = " + (Schema.LATEST + 1));
    }
    assertThatThrownBy(() -> Database.open(file, 5_000))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("newer")
        .hasMessageContaining("upgrade");
  }
}
