package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.http.HttpResponseException;
import dev.tracelet.http.JsonCodec;
import dev.tracelet.http.ManagedHttpClient;
import dev.tracelet.http.RetryPolicy;
import dev.tracelet.http.RetryingCaller;
import dev.tracelet.http.SafeUrls;
import dev.tracelet.http.Sleeper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;

/**
 * Talks to W&amp;B over HTTP: GraphQL at {@code {base}/graphql}, the file stream at {@code
 * {base}/files/{entity}/{project}/{run}/file_stream}, and signed upload URLs for artifacts. Every
 * API request carries {@code Authorization: Basic api:<key>}; upload URLs get no credentials, from
 * a separate client. Per-call time limits follow wandb-core (30 s GraphQL, 180 s file stream, none
 * for uploads). Used by one session; {@link #close()} ends every thread and connection it made.
 */
final class HttpTransport implements RunTransport {
  private final WandbConfig config;
  private final System.Logger logger;
  private final String threadName;
  private final JsonCodec codec = new JsonCodec();
  private final ManagedHttpClient api;
  private final GraphqlClient graphql;
  private final RetryingCaller stream;
  private final RetryingCaller heartbeat;
  private @Nullable ManagedHttpClient uploadClient;
  private @Nullable ArtifactUploader uploader;

  HttpTransport(WandbConfig config, System.Logger logger, String threadName) {
    this.config = config;
    this.logger = logger;
    this.threadName = threadName;
    this.api = ManagedHttpClient.create(config.apiHttpSettings(threadName));
    OkHttpClient base = api.okHttp();
    OkHttpClient graphqlHttp = base.newBuilder().callTimeout(config.graphqlTimeout).build();
    OkHttpClient streamHttp = base.newBuilder().callTimeout(config.fileStreamTimeout).build();
    this.graphql =
        new GraphqlClient(
            caller(graphqlHttp, config.retry), config.baseUrl, codec, Sleeper.SYSTEM, logger);
    this.stream = caller(streamHttp, config.retry);
    // A heartbeat is not worth waiting for: if it fails, the next one or the next batch tries.
    this.heartbeat = caller(graphqlHttp, RetryPolicy.none());
  }

  @Override
  public Bucket upsertRun(ObjectNode variables) {
    ObjectNode data = graphql.execute("UpsertBucket", GraphqlDocuments.UPSERT_BUCKET, variables);
    return bucket(data, logger);
  }

  @Override
  public FileStreamAnswer sendFileStream(RunPath run, ObjectNode body, boolean retry) {
    HttpUrl url =
        config
            .baseUrl
            .newBuilder()
            .addPathSegment("files")
            .addPathSegment(run.entity())
            .addPathSegment(run.project())
            .addPathSegment(run.runName())
            .addPathSegment("file_stream")
            .build();
    Request request = new Request.Builder().url(url).post(codec.body(body)).build();
    try (Response response = (retry ? stream : heartbeat).execute(request)) {
      int status = response.code();
      if (!response.isSuccessful()) {
        HttpResponseException e = HttpResponseException.of(response);
        throw new WandbRequestException(
            "file stream of run " + run + " failed: " + e.getMessage(),
            status,
            WandbRequestException.neverRetried(status)
                || !RetryingCaller.isRetryableStatus(status));
      }
      boolean stopped = false;
      try {
        stopped = codec.readObject(response).path("stopped").asBoolean(false);
      } catch (IOException e) {
        // The answer's fields are advisory; the lines were accepted either way.
        logger.log(Level.DEBUG, "file stream answer not readable: {0}", e.getMessage());
      }
      return new FileStreamAnswer(
          stopped, response.header("RateLimit-Remaining"), response.header("RateLimit-Reset"));
    } catch (IOException e) {
      if (interrupted(e)) {
        throw new WandbRequestException("file stream of run " + run + " was interrupted", e);
      }
      throw new WandbRequestException(
          "file stream of run " + run + " could not reach " + SafeUrls.redact(url) + ": " + e, e);
    }
  }

  @Override
  public ArtifactResult saveArtifact(
      RunPath run, TraceletArtifact artifact, ArtifactManifest manifest) {
    ArtifactUploader u = uploader;
    if (u == null) {
      ManagedHttpClient client =
          ManagedHttpClient.create(config.uploadHttpSettings(threadName + "-upload"));
      uploadClient = client;
      u = new ArtifactUploader(graphql, caller(client.okHttp(), config.uploadRetry), codec, logger);
      uploader = u;
    }
    return u.upload(run, artifact, manifest);
  }

  @Override
  public boolean online() {
    return true;
  }

  @Override
  public void close() {
    api.close();
    ManagedHttpClient u = uploadClient;
    if (u != null) {
      u.close();
    }
  }

  /**
   * Whether {@code e} reports that this thread was interrupted. OkHttp reports timeouts as {@link
   * InterruptedIOException} too; those are failures like any other, and must not leave the
   * interrupt flag set on the host's thread (its later waits and file writes would all fail).
   * {@link dev.tracelet.http.RetryingCaller} leaves the flag set when it was really interrupted.
   */
  static boolean interrupted(IOException e) {
    return e instanceof InterruptedIOException && Thread.currentThread().isInterrupted();
  }

  private RetryingCaller caller(OkHttpClient client, RetryPolicy policy) {
    return new RetryingCaller(
        client,
        policy,
        Sleeper.SYSTEM,
        () -> ThreadLocalRandom.current().nextDouble(),
        Clock.systemUTC(),
        logger);
  }

  /** Reads {@code upsertBucket} from an answer's data. */
  static Bucket bucket(JsonNode data, System.Logger logger) {
    JsonNode upsert = data.path("upsertBucket");
    JsonNode b = upsert.path("bucket");
    String id = b.path("id").asText("");
    String name = b.path("name").asText("");
    String project = b.path("project").path("name").asText("");
    String entity = b.path("project").path("entity").path("name").asText("");
    if (id.isEmpty() || name.isEmpty() || project.isEmpty() || entity.isEmpty()) {
      throw new WandbRequestException(
          "UpsertBucket answered without the run's id, name, project or entity",
          WandbRequestException.GRAPHQL_ERRORS,
          true);
    }
    return new Bucket(
        id,
        new RunPath(entity, project, name),
        upsert.path("inserted").asBoolean(true),
        b.path("historyLineCount").asLong(0),
        b.path("eventsLineCount").asLong(0),
        b.path("logLineCount").asLong(0),
        jsonString(b.path("summaryMetrics"), "summaryMetrics", logger),
        jsonString(b.path("config"), "config", logger),
        strings(b.path("tags")));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) {
      if (n.isTextual()) {
        out.add(n.asText());
      }
    }
    return out;
  }

  /** W&amp;B returns JSON documents as strings inside GraphQL answers. */
  private static @Nullable JsonNode jsonString(JsonNode node, String what, System.Logger logger) {
    if (!node.isTextual() || node.asText().isBlank()) {
      return node.isObject() ? node : null;
    }
    try {
      return ExtendedJson.parse(node.asText());
    } catch (UncheckedIOException e) {
      logger.log(Level.WARNING, "W&B returned a {0} that is not JSON; ignoring it", what);
      return null;
    }
  }
}
