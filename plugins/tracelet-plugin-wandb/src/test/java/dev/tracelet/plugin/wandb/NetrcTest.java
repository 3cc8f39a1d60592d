package dev.tracelet.plugin.wandb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NetrcTest {
  @Test
  void findsThePasswordOfTheMachine() {
    String netrc =
        "# wandb login writes this\n"
            + "machine example.com login a password b\n"
            + "machine api.wandb.ai\n  login user\n  password abc123\n";
    assertThat(Netrc.password(netrc, "api.wandb.ai")).contains("abc123");
    assertThat(Netrc.password(netrc, "API.WANDB.AI")).contains("abc123");
    assertThat(Netrc.password(netrc, "other.host")).isEmpty();
  }

  @Test
  void defaultAppliesWhenNoMachineMatchesAndMacrosAreSkipped() {
    String netrc =
        "macdef init\nmachine fake password nope\n\n"
            + "machine a.b password x\n"
            + "default login u password fallback\n";
    assertThat(Netrc.password(netrc, "api.wandb.ai")).contains("fallback");
    assertThat(Netrc.password(netrc, "fake")).contains("fallback");
    assertThat(Netrc.password(netrc, "a.b")).contains("x");
  }
}
