package dev.tracelet.api.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row per run: {@code run_id, status, start_time, end_time, duration}, then {@code param.<key>}
 * and {@code metric.<key>} (latest value) columns. Immutable.
 */
public final class ResultsTable {
  private final List<String> columns;
  private final List<Map<String, Object>> rows;

  /** Rows may lack columns (a run without that parameter); such cells read as absent. */
  public ResultsTable(List<String> columns, List<Map<String, Object>> rows) {
    this.columns = List.copyOf(columns);
    List<Map<String, Object>> copy = new ArrayList<>(rows.size());
    for (Map<String, Object> row : rows) {
      copy.add(Collections.unmodifiableMap(new LinkedHashMap<>(row)));
    }
    this.rows = Collections.unmodifiableList(copy);
  }

  public List<String> columns() {
    return columns;
  }

  public List<Map<String, Object>> rows() {
    return rows;
  }

  /**
   * RFC 4180 CSV: a header line of {@link #columns()}, then one line per row, {@code \r\n} line
   * ends, fields quoted when they hold a comma, quote or line break; absent cells are empty.
   */
  public String toCsv() {
    StringBuilder b = new StringBuilder();
    appendLine(b, columns);
    for (Map<String, Object> row : rows) {
      List<String> cells = new ArrayList<>(columns.size());
      for (String c : columns) {
        Object v = row.get(c);
        cells.add(v == null ? "" : String.valueOf(v));
      }
      appendLine(b, cells);
    }
    return b.toString();
  }

  private static void appendLine(StringBuilder b, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      String s = cells.get(i);
      if (s.indexOf(',') >= 0
          || s.indexOf('"') >= 0
          || s.indexOf('\n') >= 0
          || s.indexOf('\r') >= 0) {
        b.append('"').append(s.replace("\"", "\"\"")).append('"');
      } else {
        b.append(s);
      }
    }
    b.append("\r\n");
  }

  @Override
  public String toString() {
    return "ResultsTable{columns=" + columns + ", rows=" + rows.size() + '}';
  }
}
