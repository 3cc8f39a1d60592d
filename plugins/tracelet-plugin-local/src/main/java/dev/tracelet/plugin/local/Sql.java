package dev.tracelet.plugin.local;

import java.sql.Connection;
import java.sql.SQLException;

/** JDBC work as lambdas: the checked {@link SQLException} stays inside the store. */
final class Sql {
  private Sql() {}

  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  @FunctionalInterface
  interface VoidWork {
    void run(Connection c) throws SQLException;
  }
}
