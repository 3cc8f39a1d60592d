package dev.tracelet.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.jspecify.annotations.Nullable;

/** Applies {@link TlsOptions} to an OkHttp builder, with PEM files read by the JDK alone. */
final class TlsSupport {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]+)-----END \\1-----");
  private static final char[] NO_PASSWORD = new char[0];

  private TlsSupport() {}

  static void apply(OkHttpClient.Builder builder, TlsOptions tls) {
    if (tls.isDefault()) {
      return;
    }
    try {
      X509TrustManager trust =
          tls.insecure()
              ? new TrustEverything()
              : trustManager(tls.serverCertPath() == null ? null : readKeyStore(tls));
      KeyManager[] keys = tls.clientCertPath() == null ? null : keyManagers(tls.clientCertPath());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, new TrustManager[] {trust}, null);
      builder.sslSocketFactory(context.getSocketFactory(), trust);
      if (tls.insecure()) {
        builder.hostnameVerifier((host, session) -> true);
      }
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          "Cannot set up TLS from " + tls + ": " + e.getMessage(), e);
    }
  }

  private static KeyStore readKeyStore(TlsOptions tls)
      throws GeneralSecurityException, IOException {
    Path path = tls.serverCertPath();
    List<Certificate> certs = certificates(read(path, "server certificate"));
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(
          "Server certificate file " + path + " holds no PEM certificate (BEGIN CERTIFICATE)");
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    for (int i = 0; i < certs.size(); i++) {
      store.setCertificateEntry("ca-" + i, certs.get(i));
    }
    return store;
  }

  private static X509TrustManager trustManager(@Nullable KeyStore store)
      throws GeneralSecurityException {
    TrustManagerFactory f =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init(store);
    for (TrustManager m : f.getTrustManagers()) {
      if (m instanceof X509TrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("no X509TrustManager available");
  }

  static KeyManager[] keyManagers(Path pemFile) throws GeneralSecurityException, IOException {
    String pem = read(pemFile, "client certificate");
    List<Certificate> chain = certificates(pem);
    PrivateKey key = privateKey(pem, pemFile);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(
          "Client certificate file " + pemFile + " holds no PEM certificate (BEGIN CERTIFICATE)");
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(new Certificate[0]));
    KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    f.init(store, NO_PASSWORD);
    return f.getKeyManagers();
  }

  private static List<Certificate> certificates(String pem) throws GeneralSecurityException {
    StringBuilder onlyCerts = new StringBuilder();
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      if (m.group(1).equals("CERTIFICATE")) {
        onlyCerts.append(m.group()).append('\n');
      }
    }
    if (onlyCerts.length() == 0) {
      return List.of();
    }
    Collection<? extends Certificate> certs =
        CertificateFactory.getInstance("X.509")
            .generateCertificates(
                new ByteArrayInputStream(onlyCerts.toString().getBytes(StandardCharsets.US_ASCII)));
    List<Certificate> out = new ArrayList<>();
    for (Certificate c : certs) {
      if (c instanceof X509Certificate) {
        out.add(c);
      }
    }
    return out;
  }

  private static PrivateKey privateKey(String pem, Path file) throws GeneralSecurityException {
    Matcher m = PEM.matcher(pem);
    while (m.find()) {
      String type = m.group(1);
      if (type.equals("PRIVATE KEY")) {
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        GeneralSecurityException last = null;
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "DSA")) {
          try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
          } catch (GeneralSecurityException e) {
            last = e;
          }
        }
        throw new GeneralSecurityException("unsupported private key in " + file, last);
      }
      if (type.endsWith("PRIVATE KEY")) {
        throw new IllegalArgumentException(
            "Client certificate file "
                + file
                + " holds a '"
                + type
                + "' key; Tracelet reads unencrypted PKCS#8 keys only (BEGIN PRIVATE KEY)."
                + " Convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
      }
    }
    throw new IllegalArgumentException(
        "Client certificate file "
            + file
            + " holds no private key; put the certificate and its key (BEGIN PRIVATE KEY) in one"
            + " PEM file");
  }

  private static String read(Path path, String what) throws IOException {
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException(
          "The " + what + " file " + path + " does not exist or cannot be read");
    }
    return Files.readString(path, StandardCharsets.US_ASCII);
  }

  /** Accepts any certificate: the explicit, documented opt-out for test servers. */
  private static final class TrustEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
