package dev.tracelet.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A real {@code mlflow server} on 127.0.0.1, started the way {@code .ci/mlflow-server.sh} starts
 * one (SQLite backend store, artifact serving, one worker, the job runner off), with its store in a
 * folder of its own so that it can be killed and started again on the same port with everything it
 * had committed.
 */
final class MlflowServerProcess implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofMinutes(2);

  private final Path executable;
  private final Path dir;
  private final int port;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private @Nullable Process process;
  private int starts;

  /** Kills the server if the test JVM ends (killed by a timeout, say) with it still running. */
  private final Thread killAtExit = new Thread(this::killQuietly, "mlflow-server-kill");

  private MlflowServerProcess(Path executable, Path dir, int port) {
    this.executable = executable;
    this.dir = dir;
    this.port = port;
  }

  /** Starts a server on a free port, its store under {@code dir}; returns once it answers. */
  static MlflowServerProcess start(Path executable, Path dir) throws IOException {
    MlflowServerProcess s = new MlflowServerProcess(executable, dir, freePort());
    s.start();
    return s;
  }

  String uri() {
    return "http://127.0.0.1:" + port;
  }

  Path log() {
    return dir.resolve("server.log");
  }

  /** Starts the server (again) on its port and waits until {@code /health} answers. */
  void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the MLflow server is running already");
    }
    Files.createDirectories(dir.resolve("artifacts"));
    ProcessBuilder pb =
        new ProcessBuilder(
            executable.toString(),
            "server",
            "--backend-store-uri",
            "sqlite:///" + dir.resolve("mlflow.db").toAbsolutePath(),
            "--artifacts-destination",
            dir.resolve("artifacts").toAbsolutePath().toString(),
            "--serve-artifacts",
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--workers",
            "1");
    pb.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Files.writeString(
        log(),
        "==== start " + (++starts) + " on port " + port + System.lineSeparator(),
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    Process p = pb.start();
    process = p;
    if (starts == 1) {
      Runtime.getRuntime().addShutdownHook(killAtExit);
    }
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (!healthy()) {
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "mlflow server exited with " + p.exitValue() + " while starting; " + tail());
      }
      if (System.nanoTime() - deadline > 0) {
        kill();
        throw new IllegalStateException(
            "mlflow server did not answer within " + STARTUP + "; " + tail());
      }
      sleep(250);
    }
  }

  /**
   * Kills the server the hard way: SIGKILL to the {@code mlflow} process and every process it
   * started (the uvicorn worker), then waits until they are gone and the port refuses connections.
   */
  void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    List<ProcessHandle> tree = p.descendants().toList();
    tree.forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    for (ProcessHandle h : tree) {
      awaitExit(h);
    }
    awaitExit(p.toHandle());
    process = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (accepting()) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("port " + port + " still accepts after the kill");
      }
      sleep(50);
    }
  }

  boolean running() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** A GET on the server's REST API; the body of a 200 answer. */
  String get(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(uri() + pathAndQuery))
                .timeout(Duration.ofMinutes(2))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(
          "GET " + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /** A POST of a JSON body on the server's REST API; the body of a 200 answer. */
  String post(String path, String json) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(uri() + path))
                .timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(killAtExit);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // Shutting down already (the hook runs), or it was never added.
    }
    kill();
  }

  private void killQuietly() {
    Process p = process;
    if (p != null) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  private boolean healthy() {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create(uri() + "/health"))
                      .timeout(Duration.ofSeconds(5))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the MLflow server", e);
    }
  }

  private boolean accepting() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (ConnectException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private static void awaitExit(ProcessHandle h) {
    try {
      h.onExit().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("process " + h.pid() + " did not exit after SIGKILL", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing the MLflow server", e);
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
      return "last lines of "
          + log()
          + ":\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
