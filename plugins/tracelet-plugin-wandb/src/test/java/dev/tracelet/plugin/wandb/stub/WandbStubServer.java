package dev.tracelet.plugin.wandb.stub;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * A strict Weights &amp; Biases server for tests and CI, on WireMock, bound to 127.0.0.1. It speaks
 * the parts of W&amp;B's API Tracelet uses — GraphQL {@code UpsertBucket}, {@code Viewer}, the
 * artifact mutations, the run file stream and signed uploads — and rejects what W&amp;B rejects
 * (see the reference's list): wrong or missing {@code Authorization: Basic api:<key>} (401 on both
 * endpoints); GraphQL bodies without {@code query}, {@code variables} or {@code operationName};
 * {@code config} not a JSON string of {@code {"value": …}} wrappers; bad run ids, project names and
 * tags; file streams of runs never created (404); history offsets that skip or overlap accepted
 * lines with other content; history lines that are not objects, lack {@code _step}, {@code
 * _runtime} or {@code _timestamp}, do not increase {@code _step} or carry milliseconds; a summary
 * of several lines or off offset 0; requests over 10 MiB; more than the rate limit (default 2) of
 * file-stream requests per second per run (429 with {@code Retry-After: 1}); gzip; any request
 * after {@code complete:true} other than an exact resend of it (until an {@code UpsertBucket}
 * resumes the run); {@code complete} without {@code exitcode} and the reverse; uploads whose bytes
 * do not match their MD5, that carry the API key, or lack the upload headers; manifests whose
 * digest does not match; commits before every file and the manifest arrived.
 *
 * <p>Tests read what it accepted through {@link #runs()} and {@link #run(String)}, what it refused
 * through {@link #rejections()}, and every request through {@link #requests()}; {@code GET
 * /_stub/runs} and {@code GET /_stub/rejections} show the same as JSON to scripts. Faults can be
 * injected: {@link #failNextFileStreams}, {@link #resetConnectionAfterApplying}, {@link
 * #failNextGraphql}.
 *
 * <p>From the command line (for CI): {@code WandbStubServer [--port N] [--api-key K] [--rate-limit
 * N] [--ready-file PATH]}; it prints its URL, writes it to the ready file once listening, and runs
 * until killed.
 */
public final class WandbStubServer implements AutoCloseable {
  /** The API key the stub accepts unless told otherwise. */
  public static final String DEFAULT_API_KEY = "local-stub-api-key";

  /** The entity runs land in when a request names none (the key's default entity). */
  public static final String DEFAULT_ENTITY = "stub-user";

  private final WireMockServer server;
  private final StubBackend backend;
  private final String apiKey;

  private WandbStubServer(int port, String apiKey, int rateLimitPerSecond) {
    this.apiKey = apiKey;
    this.backend = new StubBackend(apiKey, DEFAULT_ENTITY, rateLimitPerSecond);
    this.server =
        new WireMockServer(
            options()
                .bindAddress("127.0.0.1")
                .port(port)
                .jettyAcceptors(1)
                .containerThreads(8)
                .disableRequestJournal()
                .extensions(new Responder(backend)));
  }

  /** A stub on a free port with the default key and W&amp;B's rate limit of 2 requests/s. */
  public static WandbStubServer start() {
    return start(0, DEFAULT_API_KEY, 2);
  }

  /**
   * A stub on {@code port} (0: any free port) accepting {@code apiKey}, allowing {@code
   * rateLimitPerSecond} file-stream requests per second per run (0: no limit).
   */
  public static WandbStubServer start(int port, String apiKey, int rateLimitPerSecond) {
    WandbStubServer stub = new WandbStubServer(port, apiKey, rateLimitPerSecond);
    stub.server.stubFor(any(anyUrl()).willReturn(ResponseDefinitionBuilder.okForEmptyJson()));
    stub.server.start();
    stub.backend.baseUrl(stub.baseUrl());
    return stub;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  public int port() {
    return server.port();
  }

  public String apiKey() {
    return apiKey;
  }

  /** Every run, as it is now. */
  public List<StubRun> runs() {
    return backend.runs();
  }

  /** The run whose W&amp;B id is {@code runId}, as it is now. */
  public Optional<StubRun> run(String runId) {
    return runs().stream().filter(r -> r.runId().equals(runId)).findFirst();
  }

  /** Why each refused request was refused, in order. */
  public List<String> rejections() {
    return backend.rejections();
  }

  /** Every request received (method, path, body, status), in order. */
  public List<RecordedRequest> requests() {
    return backend.recorded().stream()
        .map(r -> new RecordedRequest(r.method(), r.path(), r.body(), r.status()))
        .toList();
  }

  /** File uploads that stored content (artifact files, not manifests). */
  public int fileUploads() {
    return backend.fileUploads();
  }

  /**
   * The next {@code n} file-stream requests fail with {@code status} before anything is applied
   * (with {@code Retry-After: retryAfter} when not null).
   */
  public void failNextFileStreams(int n, int status, @Nullable String retryAfter) {
    backend.failFileStreams(n, status, retryAfter);
  }

  /**
   * The next {@code n} valid file-stream requests are applied, then the connection is dropped
   * without an answer: the client cannot know its lines arrived.
   */
  public void resetConnectionAfterApplying(int n) {
    backend.resetAfterApplying(n);
  }

  /** The next {@code n} GraphQL requests fail with {@code status}. */
  public void failNextGraphql(int n, int status) {
    backend.failGraphql(n, status);
  }

  /** File-stream requests per second per run; 0 for no limit. */
  public void rateLimit(int perSecond) {
    backend.rateLimit(perSecond);
  }

  /** Whether file-stream answers say {@code "stopped": true} (Stop pressed in the UI). */
  public void stopRequested(boolean stop) {
    backend.stopRequested(stop);
  }

  /** Forgets every run, artifact, rejection and request, and every injected fault. */
  public void reset() {
    backend.reset();
  }

  @Override
  public void close() {
    server.stop();
  }

  /**
   * One request as received.
   *
   * @param status what the stub answered (200 for a dropped connection)
   */
  public record RecordedRequest(String method, String path, String body, int status) {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = 8089;
    String key = DEFAULT_API_KEY;
    int rate = 2;
    Path ready = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--port" -> port = Integer.parseInt(value(args, ++i, a));
        case "--api-key" -> key = value(args, ++i, a);
        case "--rate-limit" -> rate = Integer.parseInt(value(args, ++i, a));
        case "--ready-file" -> ready = Path.of(value(args, ++i, a));
        case "--help", "-h" -> {
          System.out.println(
              "WandbStubServer [--port N (default 8089, 0: any)] [--api-key K (default "
                  + DEFAULT_API_KEY
                  + ")] [--rate-limit N per second per run (default 2, 0: none)]"
                  + " [--ready-file PATH]");
          return;
        }
        default -> {
          if (a.matches("\\d+")) {
            port = Integer.parseInt(a);
          } else {
            throw new IllegalArgumentException("unknown argument " + a + "; try --help");
          }
        }
      }
    }
    WandbStubServer stub = start(port, key, rate);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stub.close();
                  stopped.countDown();
                },
                "wandb-stub-shutdown"));
    System.out.println("W&B stub listening on " + stub.baseUrl() + " (API key " + key + ")");
    if (ready != null) {
      Path target = ready.toAbsolutePath();
      Files.createDirectories(target.getParent());
      Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
      Files.writeString(tmp, stub.baseUrl() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    stopped.await();
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  /** Hands every request to the backend and turns its answer into WireMock's. */
  private static final class Responder implements ResponseDefinitionTransformerV2 {
    private final StubBackend backend;

    Responder(StubBackend backend) {
      this.backend = backend;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      var request = event.getRequest();
      Map<String, String> headers = new LinkedHashMap<>();
      for (HttpHeader h : request.getHeaders().all()) {
        headers.put(h.key().toLowerCase(Locale.ROOT), h.firstValue());
      }
      StubBackend.Response r =
          backend.handle(
              new StubBackend.Request(
                  request.getMethod().value(), request.getUrl(), headers, request.getBody()));
      if (r.reset()) {
        return ResponseDefinitionBuilder.responseDefinition()
            .withFault(Fault.CONNECTION_RESET_BY_PEER)
            .build();
      }
      ResponseDefinitionBuilder b =
          ResponseDefinitionBuilder.responseDefinition().withStatus(r.status()).withBody(r.body());
      r.headers().forEach(b::withHeader);
      return b.build();
    }

    @Override
    public boolean applyGlobally() {
      return true;
    }

    @Override
    public String getName() {
      return "wandb-strict-stub";
    }
  }
}
