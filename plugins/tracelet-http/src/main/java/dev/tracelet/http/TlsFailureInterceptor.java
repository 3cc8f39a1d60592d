package dev.tracelet.http;

import java.io.IOException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Turns the JDK's TLS refusals ("PKIX path building failed …") into messages that say which server
 * was refused, why, and what the user can do ({@link HttpClientSettings#tlsHelp()}). The exception
 * types stay the same, so {@link RetryingCaller} still never retries them.
 */
final class TlsFailureInterceptor implements Interceptor {
  private final String help;

  TlsFailureInterceptor(String help) {
    this.help = help;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    try {
      return chain.proceed(chain.request());
    } catch (SSLPeerUnverifiedException e) {
      SSLPeerUnverifiedException explained =
          new SSLPeerUnverifiedException(
              "TLS: the certificate of "
                  + server(chain.request().url())
                  + " does not match its host name ("
                  + e.getMessage()
                  + "). If you trust this server anyway, "
                  + help);
      explained.initCause(e);
      throw explained;
    } catch (SSLHandshakeException e) {
      SSLHandshakeException explained =
          new SSLHandshakeException(
              "TLS handshake with "
                  + server(chain.request().url())
                  + " failed: its certificate is not trusted, or no TLS version or cipher is"
                  + " common ("
                  + e.getMessage()
                  + "). If its certificate is self-signed or from a private CA, "
                  + help);
      explained.initCause(e);
      throw explained;
    }
  }

  private static String server(HttpUrl url) {
    return url.host() + ":" + url.port();
  }
}
