package dev.tracelet.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table with aligned columns that fits a terminal width: when the natural width is too
 * wide, the widest columns narrow first and their cells wrap onto more lines, so no text is ever
 * cut off (a truncated file path or error message is worse than a taller table).
 */
final class Table {
  private static final String GAP = "  ";

  /** Columns never narrow below this, unless their content is shorter. */
  private static final int MIN_COLUMN = 8;

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();
  private final boolean[] keepWhole;

  Table(String... headers) {
    this.headers = List.of(headers);
    this.keepWhole = new boolean[headers.length];
  }

  /** Marks columns never to wrap, such as ids that users copy and paste. */
  Table keepWhole(int... columns) {
    for (int c : columns) {
      keepWhole[c] = true;
    }
    return this;
  }

  /** Adds a row; {@code null} cells print empty, other values with {@code toString()}. */
  Table row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException(
          "row has " + cells.length + " cells for " + headers.size() + " columns");
    }
    List<String> row = new ArrayList<>(cells.length);
    for (Object c : cells) {
      row.add(clean(c == null ? "" : c.toString()));
    }
    rows.add(row);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  /**
   * Renders the header and the rows, each line ending in {@code \n} and without trailing spaces.
   *
   * @param maxWidth the terminal width, or 0 or less for no limit (output to a file or a pipe)
   */
  String render(int maxWidth) {
    int n = headers.size();
    int[] widths = new int[n];
    for (int i = 0; i < n; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    if (maxWidth > 0) {
      fit(widths, maxWidth);
    }
    StringBuilder b = new StringBuilder();
    appendRow(b, headers, widths);
    for (List<String> row : rows) {
      appendRow(b, row, widths);
    }
    return b.toString();
  }

  /** Narrows the widest column one character at a time until the table fits or cannot shrink. */
  private void fit(int[] widths, int maxWidth) {
    int[] floor = new int[widths.length];
    for (int i = 0; i < widths.length; i++) {
      floor[i] =
          keepWhole[i]
              ? widths[i]
              : Math.min(widths[i], Math.max(MIN_COLUMN, headers.get(i).length()));
    }
    int total = Arrays.stream(widths).sum() + GAP.length() * (widths.length - 1);
    while (total > maxWidth) {
      int widest = -1;
      for (int i = 0; i < widths.length; i++) {
        if (widths[i] > floor[i] && (widest < 0 || widths[i] > widths[widest])) {
          widest = i;
        }
      }
      if (widest < 0) {
        return; // every column is at its floor: overflow rather than become unreadable
      }
      widths[widest]--;
      total--;
    }
  }

  private static void appendRow(StringBuilder b, List<String> cells, int[] widths) {
    List<List<String>> wrapped = new ArrayList<>(cells.size());
    int height = 1;
    for (int i = 0; i < cells.size(); i++) {
      List<String> lines = wrap(cells.get(i), widths[i]);
      wrapped.add(lines);
      height = Math.max(height, lines.size());
    }
    for (int line = 0; line < height; line++) {
      StringBuilder l = new StringBuilder();
      for (int i = 0; i < cells.size(); i++) {
        String part = line < wrapped.get(i).size() ? wrapped.get(i).get(line) : "";
        if (i > 0) {
          l.append(GAP);
        }
        l.append(part);
        if (i < cells.size() - 1) {
          l.append(" ".repeat(widths[i] - part.length()));
        }
      }
      b.append(l.toString().stripTrailing()).append('\n');
    }
  }

  /**
   * Breaks text into lines of at most {@code width}, after a space, '/', ',' or '-' if possible.
   */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    String rest = text;
    while (rest.length() > width) {
      int cut = -1;
      for (int i = width; i > width / 2; i--) {
        char c = rest.charAt(i - 1);
        if (c == ' ' || c == '/' || c == '\\' || c == ',' || c == '-' || c == '.' || c == '_') {
          cut = i;
          break;
        }
      }
      if (cut < 0) {
        cut = width;
      }
      lines.add(rest.substring(0, cut).stripTrailing());
      rest = rest.substring(cut).stripLeading();
    }
    lines.add(rest);
    return lines;
  }

  /** Control characters (a newline in an error message) would break the alignment. */
  private static String clean(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    return b.toString().strip();
  }
}
