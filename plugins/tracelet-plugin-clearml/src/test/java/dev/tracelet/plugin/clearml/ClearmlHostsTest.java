package dev.tracelet.plugin.clearml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.ConfigurationException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClearmlHostsTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // API host, derived web host ('-' for none), derived files host
    "https://api.clear.ml, https://app.clear.ml, https://files.clear.ml",
    "https://demoapi.demo.clear.ml, https://demoapp.demo.clear.ml, https://demofiles.demo.clear.ml",
    "http://localhost:8008, http://localhost:8080, http://localhost:8081",
    "http://10.0.0.5:8008/, http://10.0.0.5:8080, http://10.0.0.5:8081",
    "https://api.example.com:443, https://app.example.com:443, https://app.example.com:8081",
    "http://127.0.0.1:18008, -, http://127.0.0.1:8081",
    "https://clearml.example.com, -, https://clearml.example.com:8081",
  })
  void derivesTheOtherHostsAsTheSdkDoes(String api, String web, String files) {
    ClearmlHosts hosts = ClearmlHosts.of(api, null, null);
    assertThat(hosts.api()).isEqualTo(api.endsWith("/") ? api.substring(0, api.length() - 1) : api);
    assertThat(hosts.web()).isEqualTo(web.equals("-") ? Optional.empty() : Optional.of(web));
    assertThat(hosts.files()).isEqualTo(files);
  }

  @Test
  void givenHostsWinOverDerivation() {
    ClearmlHosts hosts =
        ClearmlHosts.of("http://localhost:8008", "http://web:1/", "http://files:2/prefix/");
    assertThat(hosts.web()).contains("http://web:1");
    assertThat(hosts.files()).isEqualTo("http://files:2/prefix");
  }

  @Test
  void aMissingApiHostSaysWhichVariableToSet() {
    assertThatThrownBy(() -> ClearmlHosts.of(" ", null, null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("CLEARML_API_HOST")
        .hasMessageContaining("http://localhost:8008");
  }

  @Test
  void somethingThatIsNotAnHttpUrlIsRefused() {
    assertThatThrownBy(() -> ClearmlHosts.of("localhost:8008", null, null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("clearml.api_host = 'localhost:8008'");
    assertThatThrownBy(() -> ClearmlHosts.of("http://localhost:8008", null, "ftp://files"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("clearml.files_host");
  }

  @Test
  void credentialsInTheUrlAreRefusedWithoutEchoingThem() {
    assertThatThrownBy(() -> ClearmlHosts.of("http://me:s3cret@localhost:8008", null, null))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("must not carry credentials")
        .hasMessageNotContaining("s3cret");
  }
}
