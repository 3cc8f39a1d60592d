package dev.tracelet.plugin.clearml.stub;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A strict ClearML server for tests and demos: two WireMock servers on {@code 127.0.0.1}, the API
 * server and the file server, answering with ClearML's envelope and refusing what the real server
 * refuses ({@code reference/protocols.md} §3.10):
 *
 * <ul>
 *   <li>every call but {@code auth.login} needs a valid Bearer token (401/20 without, 401/30 for a
 *       revoked or expired one); {@code auth.login} needs the right Basic credentials (401/21);
 *   <li>{@code events.add_batch} needs {@code Content-Type} exactly {@code application/json-lines};
 *       any {@code Content-Encoding} gets 415, on both servers; bodies over 15 MiB get 413;
 *   <li>paths outside {@code /[v<version>/]<service>.<action>} and unknown endpoints get 404;
 *   <li>tasks follow the status machine: {@code tasks.started} only from {@code created}, {@code
 *       tasks.completed} only from {@code in_progress} or {@code stopped}, hyperparameter,
 *       configuration and artifact edits only while {@code created}, or {@code in_progress} with
 *       {@code force} (user properties in any status), all unless forced; otherwise 400/110;
 *   <li>hyperparameter values must be strings, task types from ClearML's list, artifacts need
 *       {@code key} and {@code type} and a timestamp in seconds; events need {@code task} and
 *       {@code type}, an integer {@code iter}, a millisecond timestamp and (scalars) a numeric
 *       value, and bare {@code NaN} is invalid JSON; refused events are counted in {@code errors},
 *       and a batch with none added gets 400/131;
 *   <li>{@code projects.get_all} treats {@code name} as a regular expression (searched, not
 *       matched), so an unescaped or unanchored name finds more projects;
 *   <li>the file server takes multipart uploads with a Bearer token only (Basic gets 401), whose
 *       field names are relative paths without {@code ..}.
 * </ul>
 *
 * <p>It stores what it accepted, as the real server would (a repeated scalar event overwrites its
 * earlier copy), and records every call. Tests read it through the accessors; scripts through
 * {@code GET <api>/_stub/summary}. Start it from a shell with {@link #main(String[])}.
 */
public final class ClearmlStubServer implements AutoCloseable {
  /** The credentials the stub accepts by default. */
  public static final String ACCESS_KEY = "TRACELETSTUBACCESSKEY";

  public static final String SECRET_KEY = "tracelet-stub-secret-key-not-a-real-one";

  private final StubState state;
  private final WireMockServer api;
  private final WireMockServer files;

  private ClearmlStubServer(int apiPort, int filesPort, Clock clock) {
    this.state = new StubState(ACCESS_KEY, SECRET_KEY, clock);
    this.api = server(apiPort, "clearml-stub-api", state::api);
    this.files = server(filesPort, "clearml-stub-files", state::files);
    api.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers("clearml-stub-api")));
    files.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers("clearml-stub-files")));
  }

  /** Starts both servers on free ports. */
  public static ClearmlStubServer start() {
    return start(0, 0);
  }

  /** Starts the API server on {@code apiPort} and the file server on {@code filesPort} (0: any). */
  public static ClearmlStubServer start(int apiPort, int filesPort) {
    ClearmlStubServer s = new ClearmlStubServer(apiPort, filesPort, Clock.systemUTC());
    s.api.start();
    try {
      s.files.start();
    } catch (RuntimeException e) {
      s.api.stop();
      throw e;
    }
    return s;
  }

  /**
   * Runs the stub until the process is stopped: {@code ClearmlStubServer [apiPort [filesPort]]}, by
   * default 8008 and 8081, the ports ClearML's own derivation of the files host expects. Prints the
   * environment to point Tracelet at it.
   */
  public static void main(String[] args) throws InterruptedException {
    int apiPort = args.length > 0 ? Integer.parseInt(args[0]) : 8008;
    int filesPort = args.length > 1 ? Integer.parseInt(args[1]) : 8081;
    ClearmlStubServer stub = start(apiPort, filesPort);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stub.close();
                  stopped.countDown();
                },
                "clearml-stub-shutdown"));
    System.out.println("ClearML stub: API " + stub.apiHost() + ", file server " + stub.filesHost());
    System.out.println("CLEARML_API_HOST=" + stub.apiHost());
    System.out.println("CLEARML_FILES_HOST=" + stub.filesHost());
    System.out.println("CLEARML_API_ACCESS_KEY=" + ACCESS_KEY);
    System.out.println("CLEARML_API_SECRET_KEY=" + SECRET_KEY);
    System.out.println("What it received: GET " + stub.apiHost() + "/_stub/summary");
    System.out.flush();
    stopped.await();
  }

  public String apiHost() {
    return "http://127.0.0.1:" + api.port();
  }

  public String filesHost() {
    return "http://127.0.0.1:" + files.port();
  }

  /** The plugin's settings (without the {@code clearml.} prefix) that point at this stub. */
  public Map<String, String> config() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("api_host", apiHost());
    c.put("files_host", filesHost());
    c.put("access_key", ACCESS_KEY);
    c.put("secret_key", SECRET_KEY);
    return c;
  }

  /** Project id to name. */
  public Map<String, String> projects() {
    return state.projects();
  }

  /** Snapshots of every task, in creation order. */
  public List<StubTask> tasks() {
    return state.tasks();
  }

  public Optional<StubTask> task(String id) {
    return Optional.ofNullable(state.task(id));
  }

  /** The task whose {@code Tracelet/run_id} hyperparameter is {@code runId}. */
  public Optional<StubTask> taskOfRun(String runId) {
    return tasks().stream()
        .filter(t -> runId.equals(t.section("Tracelet").get("run_id")))
        .findFirst();
  }

  /** The events stored for a task (one per task, iteration, title and series), in arrival order. */
  public List<JsonNode> events(String taskId) {
    return state.events(taskId);
  }

  /** Event lines received in accepted {@code events.add_batch} bodies, duplicates included. */
  public int eventLinesReceived() {
    return state.eventLinesReceived();
  }

  /** Files stored on the file server, by path. */
  public Map<String, byte[]> files() {
    return state.files();
  }

  /** Every call received, in order. */
  public List<StubCall> calls() {
    return state.calls();
  }

  /** Calls of one endpoint ({@code tasks.create}, {@code upload}, …). */
  public List<StubCall> calls(String endpoint) {
    List<StubCall> out = new ArrayList<>();
    for (StubCall c : calls()) {
      if (c.endpoint().equals(endpoint)) {
        out.add(c);
      }
    }
    return out;
  }

  /** Successful {@code auth.login} calls. */
  public int logins() {
    return state.logins();
  }

  /**
   * The next {@code times} calls of {@code endpoint} ({@code tasks.create}, or {@code files.upload}
   * for the file server) fail with {@code status}/{@code subcode}, after authentication.
   */
  public ClearmlStubServer failNext(String endpoint, int status, int subcode, int times) {
    state.failNext(endpoint, 0, status, subcode, null, times);
    return this;
  }

  /** Lets {@code passing} calls of {@code endpoint} through, then fails the next one. */
  public ClearmlStubServer failAfter(String endpoint, int passing, int status, int subcode) {
    state.failNext(endpoint, passing, status, subcode, null, 1);
    return this;
  }

  /** Like {@link #failNext} with a {@code Retry-After} header. */
  public ClearmlStubServer failNextWithRetryAfter(
      String endpoint, int status, String retryAfter, int times) {
    state.failNext(endpoint, 0, status, 0, retryAfter, times);
    return this;
  }

  /** Changes a task's status as a user of the web app would (stop, reset, complete). */
  public void setStatus(String taskId, String status) {
    state.setStatus(taskId, status);
  }

  /** Every token issued so far stops working (401/30), as after a server restart. */
  public void revokeTokens() {
    state.revokeTokens();
  }

  /** How long tokens issued from now on last; 30 days by default. */
  public void tokenLifetime(Duration d) {
    state.tokenLifetime(d);
  }

  /** The summary {@code GET /_stub/summary} serves. */
  public String summaryJson() {
    try {
      return state.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(state.summary());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    files.stop();
    api.stop();
  }

  private WireMockServer server(int port, String name, Function<StubRequest, StubResponse> logic) {
    ResponseDefinitionTransformerV2 transformer =
        new ResponseDefinitionTransformerV2() {
          @Override
          public ResponseDefinition transform(ServeEvent event) {
            Request r = event.getRequest();
            if (name.equals("clearml-stub-api") && r.getUrl().startsWith("/_stub/summary")) {
              return ResponseDefinitionBuilder.responseDefinition()
                  .withStatus(200)
                  .withHeader("Content-Type", "application/json")
                  .withBody(summaryJson())
                  .build();
            }
            StubResponse response = logic.apply(toStubRequest(r));
            ResponseDefinitionBuilder b =
                ResponseDefinitionBuilder.responseDefinition()
                    .withStatus(response.status())
                    .withBody(response.body());
            response.headers().forEach(b::withHeader);
            return b.build();
          }

          @Override
          public boolean applyGlobally() {
            return false;
          }

          @Override
          public String getName() {
            return name;
          }
        };
    return new WireMockServer(
        options()
            .bindAddress("127.0.0.1")
            .port(port)
            .containerThreads(12)
            .disableRequestJournal()
            .gzipDisabled(true)
            .notifier(new Slf4jNotifier(false))
            .extensions(transformer));
  }

  private static StubRequest toStubRequest(Request r) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (HttpHeader h : r.getHeaders().all()) {
      headers.put(h.key().toLowerCase(Locale.ROOT), h.firstValue());
    }
    List<StubRequest.Part> parts = new ArrayList<>();
    if (r.isMultipart()) {
      for (Request.Part p : r.getParts()) {
        parts.add(new StubRequest.Part(p.getName(), fileName(p), p.getBody().asBytes()));
      }
    }
    return new StubRequest(r.getMethod().getName(), r.getUrl(), headers, r.getBody(), parts);
  }

  private static @Nullable String fileName(Request.Part p) {
    try {
      return p.getFileName();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
