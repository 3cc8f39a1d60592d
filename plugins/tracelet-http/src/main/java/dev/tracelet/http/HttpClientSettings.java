package dev.tracelet.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How to build a {@link ManagedHttpClient}: timeouts, TLS, authentication and the names of its
 * threads. Immutable; build with {@link #builder()}. {@link #toString()} masks credentials.
 */
public final class HttpClientSettings {
  /** The remedy every JVM client has: trust the server's CA in the JVM's trust store. */
  public static final String DEFAULT_TLS_HELP =
      "add its CA certificate to the JVM's trust store (-Djavax.net.ssl.trustStore=<file>"
          + " -Djavax.net.ssl.trustStorePassword=<password>).";

  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration writeTimeout;
  private final Duration callTimeout;
  private final TlsOptions tls;
  private final HttpAuth auth;
  private final String userAgent;
  private final String threadName;
  private final String tlsHelp;

  private HttpClientSettings(Builder b) {
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.writeTimeout = b.writeTimeout;
    this.callTimeout = b.callTimeout;
    this.tls = b.tls;
    this.auth = b.auth;
    this.userAgent = b.userAgent;
    this.threadName = b.threadName;
    this.tlsHelp = b.tlsHelp;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Longest silence while reading a response. */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** Longest stall while writing a request body. */
  public Duration writeTimeout() {
    return writeTimeout;
  }

  /** Bound on one whole attempt; zero means none (uploads of large files need none). */
  public Duration callTimeout() {
    return callTimeout;
  }

  public TlsOptions tls() {
    return tls;
  }

  public HttpAuth auth() {
    return auth;
  }

  public String userAgent() {
    return userAgent;
  }

  /** Prefix of the names of the client's dispatcher threads. */
  public String threadName() {
    return threadName;
  }

  /**
   * What a user can do when the server's certificate is refused, ending the TLS error's message:
   * the backend's settings for a private CA or for turning checks off, if it has them.
   */
  public String tlsHelp() {
    return tlsHelp;
  }

  @Override
  public String toString() {
    return "HttpClientSettings{connectTimeout="
        + connectTimeout
        + ", readTimeout="
        + readTimeout
        + ", writeTimeout="
        + writeTimeout
        + ", callTimeout="
        + callTimeout
        + ", tls="
        + tls
        + ", auth="
        + auth
        + ", userAgent="
        + userAgent
        + '}';
  }

  /** Builds {@link HttpClientSettings}; defaults: 10 s connect, 120 s read and write. */
  public static final class Builder {
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(120);
    private Duration writeTimeout = Duration.ofSeconds(120);
    private Duration callTimeout = Duration.ZERO;
    private TlsOptions tls = TlsOptions.defaults();
    private HttpAuth auth = HttpAuth.none();
    private String userAgent = "tracelet";
    private String threadName = "tracelet-http";
    private String tlsHelp = DEFAULT_TLS_HELP;

    private Builder() {}

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = requireNonNegative(d, "connectTimeout");
      return this;
    }

    public Builder readTimeout(Duration d) {
      this.readTimeout = requireNonNegative(d, "readTimeout");
      return this;
    }

    public Builder writeTimeout(Duration d) {
      this.writeTimeout = requireNonNegative(d, "writeTimeout");
      return this;
    }

    public Builder callTimeout(Duration d) {
      this.callTimeout = requireNonNegative(d, "callTimeout");
      return this;
    }

    public Builder tls(TlsOptions tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    public Builder auth(HttpAuth auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    public Builder userAgent(String userAgent) {
      this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
      return this;
    }

    public Builder threadName(String threadName) {
      this.threadName = Objects.requireNonNull(threadName, "threadName");
      return this;
    }

    /** See {@link HttpClientSettings#tlsHelp()}; names the backend's own TLS settings. */
    public Builder tlsHelp(String tlsHelp) {
      this.tlsHelp = Objects.requireNonNull(tlsHelp, "tlsHelp");
      return this;
    }

    public HttpClientSettings build() {
      return new HttpClientSettings(this);
    }

    private static Duration requireNonNegative(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative()) {
        throw new IllegalArgumentException(what + " must not be negative, was " + d);
      }
      return d;
    }
  }
}
