package dev.tracelet.plugin.clearml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchArgumentsTest {
  @Test
  void namedFlagsAndPositionalArgumentsBecomeArgs() {
    LaunchArguments a =
        LaunchArguments.of("com.example.Train --epochs 3 --lr=0.01 -v --offset -2 data.csv out");
    assertThat(a.main()).isEqualTo("com.example.Train");
    assertThat(a.args())
        .containsExactly(
            Map.entry("epochs", "3"),
            Map.entry("lr", "0.01"),
            Map.entry("v", "true"),
            Map.entry("offset", "-2"),
            Map.entry("arg0", "data.csv"),
            Map.entry("arg1", "out"));
  }

  @Test
  void valuesOfSecretLookingNamesAreRedacted() {
    LaunchArguments a =
        LaunchArguments.of("app.jar --api-key abc123 --password=hunter2 --auth_token t --keep x");
    assertThat(a.args())
        .containsEntry("api-key", "****")
        .containsEntry("password", "****")
        .containsEntry("auth_token", "****")
        .containsEntry("keep", "x");
    assertThat(a.args().values()).doesNotContain("abc123", "hunter2", "t");
  }

  @Test
  void anUnknownCommandLineGivesNothing() {
    assertThat(LaunchArguments.of(null).args()).isEmpty();
    assertThat(LaunchArguments.of(null).main()).isNull();
    assertThat(LaunchArguments.of("  ").args()).isEmpty();
  }
}
