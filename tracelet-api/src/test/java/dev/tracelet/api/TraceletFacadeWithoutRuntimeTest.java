package dev.tracelet.api;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The API alone (no tracelet-core on the class path) says which artifact to add. */
class TraceletFacadeWithoutRuntimeTest {
  @Test
  void missingRuntimeNamesTheArtifactToAdd() {
    assertThatThrownBy(() -> Tracelet.startLogging("x"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("tracelet-core")
        .hasMessageContaining("dev.tracelet");
    // Asked again, it fails the same way (not with a NoClassDefFoundError).
    assertThatThrownBy(Tracelet::settings).isInstanceOf(ConfigurationException.class);
  }
}
