package dev.tracelet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableTest {
  @Test
  void alignsColumnsWithoutTrailingSpaces() {
    String s = new Table("ID", "NAME").row("1", "alpha").row("22", null).render(0);

    assertThat(s).isEqualTo("ID  NAME\n1   alpha\n22\n");
  }

  @Test
  void narrowsTheWidestColumnAndWrapsItWithoutLosingText() {
    String path = "/a/rather/long/folder/with/plugins/tracelet-plugin-mlflow-0.1.0.jar";
    String error = "requires Tracelet >=2.0.0 but this is Tracelet 0.1.0; upgrade";
    Table t = new Table("ID", "STATE", "FILE", "ERROR").row("mlflow", "DISABLED", path, error);

    String s = t.render(60);

    List<String> lines = s.lines().toList();
    assertThat(lines).hasSizeGreaterThan(2);
    assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(60));
    int file = lines.get(0).indexOf("FILE");
    int err = lines.get(0).indexOf("ERROR");
    StringBuilder fileColumn = new StringBuilder();
    StringBuilder errorColumn = new StringBuilder();
    for (String l : lines.subList(1, lines.size())) {
      fileColumn.append(l.substring(Math.min(file, l.length()), Math.min(err, l.length())).strip());
      errorColumn.append(' ').append(l.length() > err ? l.substring(err) : "");
    }
    assertThat(fileColumn.toString()).isEqualTo(path);
    assertThat(errorColumn.toString().replaceAll("\\s+", " ").strip()).isEqualTo(error);
    assertThat(s).startsWith("ID      STATE     FILE");
  }

  @Test
  void keptColumnsNeverWrap() {
    String id = "0123456789abcdef0123456789abcdef";
    String s = new Table("ID", "NAME").keepWhole(0).row(id, "a long name for a run").render(45);

    assertThat(s).contains(id);
  }

  @Test
  void overflowsRatherThanShrinkingColumnsBelowTheirFloor() {
    Table t = new Table("A", "B").row("abcdefghijkl", "mnopqrstuvwx");

    String s = t.render(5);

    assertThat(s.lines().skip(1).findFirst().orElseThrow()).startsWith("abcdefgh  mnopqrst");
  }

  @Test
  void controlCharactersCannotBreakTheLayout() {
    String s = new Table("K", "V").row("k", "two\nlines").render(0);

    assertThat(s).isEqualTo("K  V\nk  two lines\n");
  }

  @Test
  void rowsMustMatchTheHeader() {
    assertThatThrownBy(() -> new Table("A", "B").row("only one"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void wrapPrefersBreakingAfterSeparators() {
    assertThat(Table.wrap("alpha beta gamma", 11)).containsExactly("alpha beta", "gamma");
    assertThat(Table.wrap("abcdefghij", 4)).containsExactly("abcd", "efgh", "ij");
  }

  @Test
  void terminalWidthComesFromColumnsThenTheConsole() {
    assertThat(TraceletCli.terminalWidth(Map.of("COLUMNS", "132"), false)).isEqualTo(132);
    assertThat(TraceletCli.terminalWidth(Map.of("COLUMNS", "x"), true)).isEqualTo(80);
    assertThat(TraceletCli.terminalWidth(Map.of(), true)).isEqualTo(80);
    assertThat(TraceletCli.terminalWidth(Map.of(), false)).isZero();
  }

  @Test
  void numbersLookTheSameInEveryLocale() {
    java.util.Locale before = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.GERMANY);
      assertThat(Formats.number(1.5e-7)).isEqualTo("1.5000e-07");
      assertThat(Formats.number(0.25)).isEqualTo("0.25");
    } finally {
      java.util.Locale.setDefault(before);
    }
  }

  @Test
  void numbersAndDurationsAreShort() {
    assertThat(Formats.number(3)).isEqualTo("3");
    assertThat(Formats.number(0.873456789)).isEqualTo("0.873457");
    assertThat(Formats.number(1.5e-7)).isEqualTo("1.5000e-07");
    assertThat(Formats.number(Double.NaN)).isEqualTo("NaN");
    assertThat(Formats.duration(java.time.Duration.ofMillis(812))).isEqualTo("812ms");
    assertThat(Formats.duration(java.time.Duration.ofMillis(4_250))).isEqualTo("4.2s");
    assertThat(Formats.duration(java.time.Duration.ofSeconds(187))).isEqualTo("3m 07s");
    assertThat(Formats.duration(java.time.Duration.ofMinutes(125))).isEqualTo("2h 05m");
  }
}
