package dev.tracelet.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP proxy on 127.0.0.1 in front of a strict stub server, that fails on purpose. The plugin
 * under test is pointed at the proxy; the stub behind it keeps everything it accepted, whatever the
 * proxy does, so it also survives the proxy going away and coming back on the same port.
 *
 * <p>Faults hit <em>data requests</em> only (the requests that carry metric points, as the
 * predicate given says), numbered from 1 in the order they pass the gate. A {@link Fault} plan
 * decides, per number, to pass the request on, answer a status (with {@code Retry-After} or not),
 * reset the connection before or after the stub applied the request, hang, or go away. Every other
 * request is passed on untouched.
 *
 * <p>The <em>gate</em>: while it is closed, data requests wait in the proxy (the first one to
 * arrive is signalled). A test keeps it closed until its training thread has logged everything: had
 * logging waited for the network, it would never finish.
 *
 * <p>A <em>hang</em> opens a window of {@link #HANG} during which every data request is held; when
 * the window closes (at the latest after 30 s, or earlier through {@link #endHang()}), the held
 * requests are passed on late, as a slow server would eventually process them, whether or not the
 * client is still waiting.
 */
final class FaultProxy implements AutoCloseable {
  static final Duration HANG = Duration.ofSeconds(30);

  /** How long a request waits at a gate a test forgot to open; the test fails before then. */
  private static final Duration GATE_LIMIT = Duration.ofMinutes(3);

  /** Request headers not passed on: hop-by-hop ones, and ones the JDK client sets itself. */
  private static final Set<String> REQUEST_HEADERS_KEPT_BACK =
      Set.of(
          "host",
          "content-length",
          "connection",
          "keep-alive",
          "transfer-encoding",
          "te",
          "upgrade",
          "expect",
          "proxy-connection",
          "http2-settings",
          // The stubs answer uncompressed; this proxy does not decompress.
          "accept-encoding");

  private static final Set<String> RESPONSE_HEADERS_KEPT_BACK =
      Set.of("content-length", "connection", "keep-alive", "transfer-encoding", "date", "server");

  /** What the proxy does with one data request. */
  enum Action {
    PASS,
    STATUS,
    RESET_BEFORE,
    RESET_AFTER,
    HANG,
    GO_AWAY
  }

  /**
   * One decision of a plan.
   *
   * @param status the status answered for {@link Action#STATUS}
   * @param retryAfter the {@code Retry-After} sent with it, or null
   */
  record Fault(Action action, int status, @Nullable String retryAfter) {
    static final Fault PASS = new Fault(Action.PASS, 0, null);

    /** Answers {@code status} without passing the request on. */
    static Fault status(int status) {
      return new Fault(Action.STATUS, status, null);
    }

    /** Answers {@code status} with {@code Retry-After: seconds}, without passing it on. */
    static Fault retryAfter(int status, int seconds) {
      return new Fault(Action.STATUS, status, Integer.toString(seconds));
    }

    /** Drops the connection before the stub sees the request. */
    static Fault resetBefore() {
      return new Fault(Action.RESET_BEFORE, 0, null);
    }

    /** The stub applies the request, then the connection drops: the answer is lost. */
    static Fault resetAfter() {
      return new Fault(Action.RESET_AFTER, 0, null);
    }

    /** Opens the hang window; this request and every data request in the window are held. */
    static Fault hang() {
      return new Fault(Action.HANG, 0, null);
    }

    /**
     * The stub applies the request, the connection drops, and from then on every request is refused
     * until the test stops the proxy ({@link #goAway()}) and starts it again.
     */
    static Fault goAway() {
      return new Fault(Action.GO_AWAY, 0, null);
    }
  }

  /**
   * One data request as the proxy handled it.
   *
   * @param status what the client got (0 for a dropped connection)
   * @param retryAfter the {@code Retry-After} it got, or null
   * @param arrivedNanos {@link System#nanoTime()} when it arrived
   * @param passedGateNanos when it passed the gate (and got its number)
   * @param answeredNanos when the answer was handed to the server to send
   */
  record Exchange(
      int number,
      String path,
      Action action,
      int status,
      @Nullable String retryAfter,
      long arrivedNanos,
      long passedGateNanos,
      long answeredNanos) {}

  private final String upstream;
  private final Predicate<String> isDataPath;
  private final IntFunction<Fault> plan;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final Responder responder = new Responder();
  private final int port;
  private volatile WireMockServer server;

  private final CountDownLatch firstData = new CountDownLatch(1);
  private final CountDownLatch gate;
  private final CountDownLatch wentAway = new CountDownLatch(1);
  private final AtomicInteger numbers = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger passedAfterComingBack = new AtomicInteger();
  private final List<Exchange> exchanges = new ArrayList<>();

  private final Object hangLock = new Object();
  private boolean hangOpen;
  private long hangEndsAt;
  private int held;

  private volatile boolean away;
  private volatile boolean cameBack;
  private volatile boolean closed;

  /**
   * Starts a proxy on a free port.
   *
   * @param upstream the stub's base URL, {@code http://127.0.0.1:<port>}
   * @param isDataPath which request paths carry metric points
   * @param plan the fault for data request number n (from 1)
   * @param gated whether data requests wait for {@link #openGate()}
   */
  FaultProxy(
      String upstream, Predicate<String> isDataPath, IntFunction<Fault> plan, boolean gated) {
    this.upstream = upstream.replaceAll("/+$", "");
    this.isDataPath = isDataPath;
    this.plan = plan;
    this.gate = new CountDownLatch(gated ? 1 : 0);
    this.server = newServer(0);
    server.start();
    this.port = server.port();
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Counted down when the first data request arrives (before the gate). */
  CountDownLatch firstDataRequest() {
    return firstData;
  }

  /** Counted down when a {@link Fault#goAway()} request was handled. */
  CountDownLatch wentAway() {
    return wentAway;
  }

  void openGate() {
    gate.countDown();
  }

  /** Data requests answered so far (passed on, refused or dropped). */
  int dataRequestsAnswered() {
    return answered.get();
  }

  /** Data requests passed on to the stub after {@link #comeBack()}. */
  int passedAfterComingBack() {
    return passedAfterComingBack.get();
  }

  List<Exchange> exchanges() {
    synchronized (exchanges) {
      return List.copyOf(exchanges);
    }
  }

  /**
   * Waits until a data request numbered above {@code number} was passed on to the stub and
   * answered, or the timeout; whether one was.
   */
  boolean awaitPassedBeyond(int number, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      for (Exchange e : exchanges()) {
        if (e.number() > number && e.action() == Action.PASS && e.status() > 0) {
          return true;
        }
      }
      Thread.sleep(20);
    }
    return false;
  }

  /** Data requests held by the hang window so far. */
  int held() {
    synchronized (hangLock) {
      return held;
    }
  }

  /** Waits until {@code n} data requests were held by the hang window, or the timeout. */
  boolean awaitHeld(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (hangLock) {
      while (held < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(hangLock, left);
      }
      return true;
    }
  }

  /** Closes the hang window now: the held requests go on to the stub. */
  void endHang() {
    synchronized (hangLock) {
      hangOpen = false;
      hangLock.notifyAll();
    }
  }

  /** Stops listening: connections are refused until {@link #comeBack()}. */
  void goAway() {
    away = true;
    server.stop();
  }

  /** Listens again on the same port, passing requests on as before. */
  void comeBack() {
    WireMockServer s = newServer(port);
    s.start();
    server = s;
    cameBack = true;
    away = false;
  }

  @Override
  public void close() {
    closed = true;
    gate.countDown();
    endHang();
    server.stop();
  }

  private WireMockServer newServer(int port) {
    WireMockServer s =
        new WireMockServer(
            options()
                .bindAddress("127.0.0.1")
                .port(port)
                .containerThreads(24)
                .disableRequestJournal()
                .gzipDisabled(true)
                .stubRequestLoggingDisabled(true)
                .notifier(new Slf4jNotifier(false))
                .extensions(responder));
    s.stubFor(any(anyUrl()).willReturn(aResponse()));
    return s;
  }

  private final class Responder implements ResponseDefinitionTransformerV2 {
    @Override
    public ResponseDefinition transform(ServeEvent event) {
      Request request = event.getRequest();
      if (away || closed) {
        return reset();
      }
      String path = URI.create(request.getUrl()).getPath();
      if (!isDataPath.test(path)) {
        return forward(request);
      }
      long arrived = System.nanoTime();
      firstData.countDown();
      try {
        if (!gate.await(GATE_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("the gate stayed closed for " + GATE_LIMIT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return reset();
      }
      long passed = System.nanoTime();
      int number = numbers.incrementAndGet();
      Fault fault;
      synchronized (hangLock) {
        fault = hangOpen ? Fault.hang() : plan.apply(number);
        if (fault.action() == Action.HANG) {
          if (!hangOpen) {
            hangOpen = true;
            hangEndsAt = System.nanoTime() + HANG.toNanos();
          }
          held++;
          hangLock.notifyAll();
        }
      }
      ResponseDefinition answer =
          switch (fault.action()) {
            case PASS -> forward(request);
            case STATUS -> status(fault);
            case RESET_BEFORE -> reset();
            case RESET_AFTER -> {
              forward(request);
              yield reset();
            }
            case HANG -> {
              waitOutHang();
              yield closed ? reset() : forward(request);
            }
            case GO_AWAY -> {
              forward(request);
              away = true;
              wentAway.countDown();
              yield reset();
            }
          };
      if (cameBack && answer.getFault() == null && answer.getStatus() < 300) {
        passedAfterComingBack.incrementAndGet();
      }
      HttpHeader retryAfter =
          answer.getHeaders() == null ? null : answer.getHeaders().getHeader("Retry-After");
      Exchange exchange =
          new Exchange(
              number,
              path,
              fault.action(),
              answer.getFault() != null ? 0 : answer.getStatus(),
              retryAfter != null && retryAfter.isPresent() ? retryAfter.firstValue() : null,
              arrived,
              passed,
              System.nanoTime());
      synchronized (exchanges) {
        exchanges.add(exchange);
      }
      answered.incrementAndGet();
      return answer;
    }

    @Override
    public String getName() {
      return "fault-proxy";
    }
  }

  private void waitOutHang() {
    synchronized (hangLock) {
      while (hangOpen && !closed) {
        long left = hangEndsAt - System.nanoTime();
        if (left <= 0) {
          hangOpen = false;
          hangLock.notifyAll();
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(hangLock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private ResponseDefinition forward(Request request) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(upstream + request.getUrl()))
            .timeout(Duration.ofSeconds(60));
    for (HttpHeader h : request.getHeaders().all()) {
      if (!REQUEST_HEADERS_KEPT_BACK.contains(h.key().toLowerCase(Locale.ROOT))) {
        for (String v : h.values()) {
          b.header(h.key(), v);
        }
      }
    }
    byte[] body = request.getBody();
    b.method(
        request.getMethod().getName(),
        body == null || body.length == 0
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<byte[]> r;
    try {
      r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      return ResponseDefinitionBuilder.responseDefinition()
          .withStatus(502)
          .withBody("fault proxy: the stub did not answer: " + e)
          .build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return reset();
    }
    ResponseDefinitionBuilder out =
        ResponseDefinitionBuilder.responseDefinition()
            .withStatus(r.statusCode())
            .withBody(r.body());
    for (Map.Entry<String, List<String>> h : r.headers().map().entrySet()) {
      if (!RESPONSE_HEADERS_KEPT_BACK.contains(h.getKey().toLowerCase(Locale.ROOT))
          && !h.getKey().startsWith(":")) {
        out.withHeader(h.getKey(), h.getValue().toArray(String[]::new));
      }
    }
    return out.build();
  }

  private static ResponseDefinition status(Fault fault) {
    ResponseDefinitionBuilder b =
        ResponseDefinitionBuilder.responseDefinition()
            .withStatus(fault.status())
            .withHeader("Content-Type", "application/json")
            .withBody("{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"injected\"}");
    if (fault.retryAfter() != null) {
      b.withHeader("Retry-After", fault.retryAfter());
    }
    return b.build();
  }

  private static ResponseDefinition reset() {
    return ResponseDefinitionBuilder.responseDefinition()
        .withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)
        .build();
  }
}
