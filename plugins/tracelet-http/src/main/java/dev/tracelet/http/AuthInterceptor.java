package dev.tracelet.http;

import java.io.IOException;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/** Adds the {@code Authorization} and {@code User-Agent} headers to every request. */
final class AuthInterceptor implements Interceptor {
  private final HttpAuth auth;
  private final String userAgent;

  AuthInterceptor(HttpAuth auth, String userAgent) {
    this.auth = auth;
    this.userAgent = userAgent;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request.Builder b = chain.request().newBuilder().header("User-Agent", userAgent);
    // A request that carries its own credentials (a pre-signed upload URL, say) keeps them.
    if (chain.request().header("Authorization") == null) {
      auth.authorizationHeader().ifPresent(v -> b.header("Authorization", v));
    }
    return chain.proceed(b.build());
  }
}
