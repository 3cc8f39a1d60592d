package dev.tracelet.plugin.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MlflowNamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"loss", "val/loss", "a.b-c_d e", "x..y", "ümlaut", "a/b/c"})
  void acceptsWhatMlflowAccepts(String key) {
    assertThat(MlflowNames.keyProblem("metric", key)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "a//b",
        "./a",
        "/a",
        "../a",
        "..a",
        "a/",
        "a/./b",
        "a/../b",
        ".",
        "a:b",
        "bad!",
        "tab\tkey"
      })
  void refusesWhatMlflowRefuses(String key) {
    assertThat(MlflowNames.keyProblem("metric", key)).get().asString().contains("rename it");
  }

  @ParameterizedTest
  @ValueSource(strings = {"latest", "LATEST", "v1", "V23", "has space", ""})
  void refusesReservedOrMalformedAliases(String alias) {
    assertThat(MlflowNames.aliasProblem(alias)).isPresent();
  }

  @ParameterizedTest
  @ValueSource(ints = {250, 251})
  void limitsKeysTo250Characters(int length) {
    assertThat(MlflowNames.keyProblem("param", "k".repeat(length)).isEmpty())
        .isEqualTo(length <= 250);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00"})
  void truncatesByCharactersAsPythonCountsThem(String s) {
    String cut = MlflowNames.truncate(s, 2);
    assertThat(cut.codePointCount(0, cut.length())).isEqualTo(2);
    assertThat(s).startsWith(cut);
  }
}
