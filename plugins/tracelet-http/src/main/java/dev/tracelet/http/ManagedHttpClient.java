package dev.tracelet.http;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * An {@link OkHttpClient} configured from {@link HttpClientSettings}, with an owner who closes it.
 *
 * <p>Guarantees: every request carries the configured {@code Authorization} and {@code User-Agent};
 * a refused server certificate fails with a message naming the server and the remedy ({@link
 * HttpClientSettings#tlsHelp()}); the client has its own connection pool and dispatcher (never
 * shared with another plugin or session); {@link #close()} stops its dispatcher threads, closes its
 * idle connections and, once the last client of this library copy is closed, lets OkHttp's shared
 * task threads end promptly, so that a plugin's class loader can be collected after it is unloaded.
 * Okio's timeout watchdog thread, which this library cannot reach, ends on its own after 60 idle
 * seconds.
 */
public final class ManagedHttpClient implements AutoCloseable {
  private final OkHttpClient client;
  private final ExecutorService dispatcherThreads;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ManagedHttpClient(OkHttpClient client, ExecutorService dispatcherThreads) {
    this.client = client;
    this.dispatcherThreads = dispatcherThreads;
  }

  /** Builds a client; throws {@link IllegalArgumentException} when a TLS file is unusable. */
  public static ManagedHttpClient create(HttpClientSettings settings) {
    ExecutorService threads =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            10,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            daemonThreads(settings.threadName()));
    OkHttpClient.Builder b =
        new OkHttpClient.Builder()
            .dispatcher(new Dispatcher(threads))
            .connectionPool(new ConnectionPool(5, 5, TimeUnit.MINUTES))
            .connectTimeout(settings.connectTimeout())
            .readTimeout(settings.readTimeout())
            .writeTimeout(settings.writeTimeout())
            .callTimeout(settings.callTimeout())
            .socketFactory(new NoDelaySocketFactory())
            // Retries are RetryingCaller's job, with backoff; OkHttp's silent one is off.
            .retryOnConnectionFailure(false)
            .addInterceptor(new TlsFailureInterceptor(settings.tlsHelp()))
            .addInterceptor(new AuthInterceptor(settings.auth(), settings.userAgent()));
    TlsSupport.apply(b, settings.tls());
    OkHttpThreads.clientOpened();
    return new ManagedHttpClient(b.build(), threads);
  }

  /** The client, for building calls; do not keep it beyond {@link #close()}. */
  public OkHttpClient okHttp() {
    return client;
  }

  public boolean isClosed() {
    return closed.get();
  }

  /** Cancels running calls, stops the dispatcher's threads and closes pooled connections. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    client.dispatcher().cancelAll();
    dispatcherThreads.shutdownNow();
    client.connectionPool().evictAll();
    if (client.cache() != null) {
      try {
        client.cache().close();
      } catch (java.io.IOException ignored) {
        // Nothing was cached to disk by this library; a failure here loses nothing.
      }
    }
    OkHttpThreads.clientClosed();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      // A thread inherits its creator's context loader; a plugin's must not outlive it there.
      t.setContextClassLoader(ManagedHttpClient.class.getClassLoader());
      return t;
    };
  }
}
