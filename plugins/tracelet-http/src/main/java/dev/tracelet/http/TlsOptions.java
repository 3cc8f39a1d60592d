package dev.tracelet.http;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * TLS settings for a client.
 *
 * @param insecure trust every server certificate and host name; for test servers only
 * @param serverCertPath a PEM file of the CA (or server) certificates to trust instead of the JVM's
 *     default trust store, or null
 * @param clientCertPath a PEM file holding a client certificate chain and its unencrypted PKCS#8
 *     private key ({@code BEGIN PRIVATE KEY}), as MLflow's {@code MLFLOW_TRACKING_CLIENT_CERT_PATH}
 *     expects, or null
 */
public record TlsOptions(
    boolean insecure, @Nullable Path serverCertPath, @Nullable Path clientCertPath) {
  private static final TlsOptions DEFAULTS = new TlsOptions(false, null, null);

  /** The JVM's trust store, no client certificate. */
  public static TlsOptions defaults() {
    return DEFAULTS;
  }

  public boolean isDefault() {
    return !insecure && serverCertPath == null && clientCertPath == null;
  }
}
