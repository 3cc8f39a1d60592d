package dev.tracelet.http;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagedHttpClientTest {
  private final WireMockServer server =
      new WireMockServer(wireMockConfig().dynamicPort().dynamicHttpsPort());

  @BeforeEach
  void start() {
    server.start();
    server.stubFor(get("/x").willReturn(ok("hi")));
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  @Test
  void closeLeavesNoThreadOrConnectionBehind() throws Exception {
    ManagedHttpClient client =
        ManagedHttpClient.create(HttpClientSettings.builder().threadName("close-test").build());
    try (Response r =
        client
            .okHttp()
            .newCall(new Request.Builder().url("http://localhost:" + server.port() + "/x").build())
            .execute()) {
      assertThat(r.body().string()).isEqualTo("hi");
    }
    CountDownLatch done = new CountDownLatch(1);
    client
        .okHttp()
        .newCall(new Request.Builder().url("http://localhost:" + server.port() + "/x").build())
        .enqueue(
            new Callback() {
              @Override
              public void onFailure(Call call, IOException e) {
                done.countDown();
              }

              @Override
              public void onResponse(Call call, Response response) {
                response.close();
                done.countDown();
              }
            });
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(client.okHttp().connectionPool().connectionCount()).isPositive();

    client.close();

    assertThat(client.isClosed()).isTrue();
    assertThat(client.okHttp().connectionPool().connectionCount()).isZero();
    assertThat(OkHttpThreads.openClients()).isZero();
    awaitNoThread("close-test");
    awaitNoThread("OkHttp TaskRunner");
  }

  private static void awaitNoThread(String namePrefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (threadsNamed(namePrefix) > 0) {
      assertThat(System.nanoTime())
          .as("threads named %s still alive", namePrefix)
          .isLessThan(deadline);
      Thread.sleep(20); // polling with a deadline: thread exit has no event to wait on
    }
  }

  private static long threadsNamed(String prefix) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }

  @Test
  void socketsSendWithoutNaglesDelay() throws Exception {
    try (ManagedHttpClient client = ManagedHttpClient.create(HttpClientSettings.builder().build());
        java.net.Socket socket = client.okHttp().socketFactory().createSocket()) {
      assertThat(socket.getTcpNoDelay()).isTrue();
    }
  }

  @Test
  void rejectsAnUntrustedServerByDefault() {
    try (ManagedHttpClient client =
        ManagedHttpClient.create(HttpClientSettings.builder().build())) {
      Request r =
          new Request.Builder().url("https://localhost:" + server.httpsPort() + "/x").build();
      assertThatThrownBy(() -> client.okHttp().newCall(r).execute().close())
          .isInstanceOf(SSLHandshakeException.class);
      assertThat(RetryingCaller.isRetryableFailure(new SSLHandshakeException("x"))).isFalse();
    }
  }

  @Test
  void insecureTlsTrustsAnyServer() throws IOException {
    try (ManagedHttpClient client =
        ManagedHttpClient.create(
            HttpClientSettings.builder().tls(new TlsOptions(true, null, null)).build())) {
      Request r =
          new Request.Builder().url("https://localhost:" + server.httpsPort() + "/x").build();
      try (Response resp = client.okHttp().newCall(r).execute()) {
        assertThat(resp.code()).isEqualTo(200);
      }
    }
  }

  @Test
  void serverCertPathTrustsThatCertificateAndStillChecksTheHostName(@TempDir Path dir)
      throws Exception {
    Path pem = dir.resolve("server.pem");
    Files.writeString(pem, pemOf(serverCertificate()), StandardCharsets.US_ASCII);
    try (ManagedHttpClient client =
        ManagedHttpClient.create(
            HttpClientSettings.builder().tls(new TlsOptions(false, pem, null)).build())) {
      Request r =
          new Request.Builder().url("https://localhost:" + server.httpsPort() + "/x").build();
      // WireMock's certificate names no host: the chain is now trusted (no PKIX failure), and
      // only the host-name check, which server_cert_path must not switch off, refuses it.
      assertThatThrownBy(() -> client.okHttp().newCall(r).execute().close())
          .isInstanceOf(SSLPeerUnverifiedException.class)
          .hasMessageContaining("Hostname localhost not verified");
    }
  }

  @Test
  void explainsUnusableTlsFiles(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope.pem");
    assertThatThrownBy(
            () ->
                ManagedHttpClient.create(
                    HttpClientSettings.builder().tls(new TlsOptions(false, missing, null)).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope.pem");
    Path pkcs1 = dir.resolve("client.pem");
    Files.writeString(
        pkcs1,
        pemOf(serverCertificate())
            + "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(
            () ->
                ManagedHttpClient.create(
                    HttpClientSettings.builder().tls(new TlsOptions(false, null, pkcs1)).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("openssl pkcs8");
  }

  /** WireMock's own certificate, read from a handshake that trusts anything. */
  private Certificate serverCertificate() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
              return new java.security.cert.X509Certificate[0];
            }
          }
        },
        null);
    HttpsURLConnection c =
        (HttpsURLConnection)
            new java.net.URL("https://localhost:" + server.httpsPort() + "/x").openConnection();
    c.setSSLSocketFactory(ctx.getSocketFactory());
    c.setHostnameVerifier((h, s) -> true);
    c.connect();
    try {
      return c.getServerCertificates()[0];
    } finally {
      c.disconnect();
    }
  }

  private static String pemOf(Certificate cert) throws Exception {
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(cert.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }

  @Test
  void settingsNeverShowCredentials() {
    HttpClientSettings s =
        HttpClientSettings.builder()
            .auth(HttpAuth.bearer("tok-abc"))
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    assertThat(s.toString()).contains("bearer").doesNotContain("tok-abc");
    assertThat(HttpAuth.basic("u", "pw-xyz").toString()).doesNotContain("pw-xyz");
  }
}
