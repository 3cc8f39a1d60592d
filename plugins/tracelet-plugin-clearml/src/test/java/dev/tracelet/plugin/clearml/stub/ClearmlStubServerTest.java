package dev.tracelet.plugin.clearml.stub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okhttp3.Credentials;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The stub refuses what ClearML refuses (reference/protocols.md §3.10), so the plugin's tests can
 * trust a green run. Requests here are written by hand, deliberately wrong.
 */
class ClearmlStubServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType APPLICATION_JSON = MediaType.get("application/json");
  private static final MediaType JSON_LINES = MediaType.get("application/json-lines");
  private static ClearmlStubServer stub;
  private static OkHttpClient http;
  private static String token;

  @BeforeAll
  static void start() throws IOException {
    stub = ClearmlStubServer.start();
    http = new OkHttpClient();
    Answer login =
        send(
            stub.apiHost() + "/auth.login",
            Credentials.basic(ClearmlStubServer.ACCESS_KEY, ClearmlStubServer.SECRET_KEY),
            null,
            RequestBody.create(new byte[0], APPLICATION_JSON));
    token = login.json.path("data").path("token").asText();
  }

  @AfterAll
  static void stop() {
    http.dispatcher().executorService().shutdownNow();
    http.connectionPool().evictAll();
    stub.close();
  }

  /** An answer: status and parsed body (missing node for non-JSON). */
  record Answer(int status, JsonNode json, String text) {
    int code() {
      return json.path("meta").path("result_code").asInt(-1);
    }

    int subcode() {
      return json.path("meta").path("result_subcode").asInt(-1);
    }
  }

  private static Answer send(
      String url, @Nullable String authorization, @Nullable String encoding, RequestBody body)
      throws IOException {
    Request.Builder b = new Request.Builder().url(url).post(body);
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (encoding != null) {
      b.header("Content-Encoding", encoding);
    }
    try (Response r = http.newCall(b.build()).execute()) {
      String text = r.body() == null ? "" : r.body().string();
      JsonNode json;
      try {
        json = JSON.readTree(text);
      } catch (IOException e) {
        json = JSON.missingNode();
      }
      return new Answer(r.code(), json == null ? JSON.missingNode() : json, text);
    }
  }

  private static Answer call(String endpoint, String json) throws IOException {
    return send(
        stub.apiHost() + "/v2.14/" + endpoint,
        "Bearer " + token,
        null,
        RequestBody.create(json.getBytes(StandardCharsets.UTF_8), APPLICATION_JSON));
  }

  private static Answer events(String lines, MediaType type) throws IOException {
    return send(
        stub.apiHost() + "/events.add_batch",
        "Bearer " + token,
        null,
        RequestBody.create(lines.getBytes(StandardCharsets.UTF_8), type));
  }

  private static String newTask() throws IOException {
    Answer a = call("tasks.create", "{\"name\":\"t\",\"type\":\"training\"}");
    assertThat(a.status).isEqualTo(200);
    return a.json.path("data").path("id").asText();
  }

  private static String startedTask() throws IOException {
    String id = newTask();
    assertThat(call("tasks.started", "{\"task\":\"" + id + "\"}").status).isEqualTo(200);
    return id;
  }

  private static String scalar(String task, String extra) {
    return "{\"task\":\""
        + task
        + "\",\"type\":\"training_stats_scalar\",\"metric\":\"m\",\"variant\":\"v\","
        + "\"timestamp\":1700000000000,"
        + extra
        + "}";
  }

  @Nested
  class Transport {
    @Test
    void theEnvelopeCodeIsTheHttpStatus() throws IOException {
      Answer ok = call("projects.get_all", "{}");
      Answer missing = call("tasks.started", "{}");
      assertThat(ok.status).isEqualTo(200).isEqualTo(ok.code());
      assertThat(missing.status).isEqualTo(400).isEqualTo(missing.code());
      assertThat(missing.subcode()).isEqualTo(11);
      assertThat(missing.json.path("meta").path("endpoint").path("name").asText())
          .isEqualTo("tasks.started");
    }

    @Test
    void withoutABearerTokenEveryCallButLoginIs401() throws IOException {
      Answer none =
          send(stub.apiHost() + "/tasks.create", null, null, RequestBody.create(new byte[0], null));
      Answer basic =
          send(
              stub.apiHost() + "/tasks.create",
              Credentials.basic(ClearmlStubServer.ACCESS_KEY, ClearmlStubServer.SECRET_KEY),
              null,
              RequestBody.create(new byte[0], null));
      Answer forged =
          send(
              stub.apiHost() + "/tasks.create",
              "Bearer forged",
              null,
              RequestBody.create(new byte[0], null));
      assertThat(none.status).isEqualTo(401);
      assertThat(none.subcode()).isEqualTo(20);
      assertThat(basic.subcode()).isEqualTo(20);
      assertThat(forged.subcode()).isEqualTo(30);
    }

    @Test
    void loginNeedsTheRightKeys() throws IOException {
      Answer wrong =
          send(
              stub.apiHost() + "/auth.login",
              Credentials.basic(ClearmlStubServer.ACCESS_KEY, "nope"),
              null,
              RequestBody.create(new byte[0], null));
      Answer none =
          send(stub.apiHost() + "/auth.login", null, null, RequestBody.create(new byte[0], null));
      assertThat(wrong.status).isEqualTo(401);
      assertThat(wrong.subcode()).isEqualTo(21);
      assertThat(none.subcode()).isEqualTo(20);
    }

    @Test
    void anyContentEncodingIs415OnBothServers() throws IOException {
      java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
      try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gzipped)) {
        out.write("{}".getBytes(StandardCharsets.UTF_8));
      }
      Answer api =
          send(
              stub.apiHost() + "/projects.get_all",
              "Bearer " + token,
              "gzip",
              RequestBody.create(gzipped.toByteArray(), APPLICATION_JSON));
      Answer files =
          send(
              stub.filesHost() + "/",
              "Bearer " + token,
              "identity",
              new MultipartBody.Builder()
                  .setType(MultipartBody.FORM)
                  .addFormDataPart("a/b.txt", "a/b.txt", RequestBody.create(new byte[1], null))
                  .build());
      assertThat(api.status).as(api.text).isEqualTo(415).isEqualTo(api.code());
      assertThat(files.status).as(files.text).isEqualTo(415);
    }

    @Test
    void unknownPathsEndpointsAndVersionsAre404() throws IOException {
      assertThat(call("tasks.frobnicate", "{}").status).isEqualTo(404);
      Answer tooOld =
          send(
              stub.apiHost() + "/v2.5/tasks.edit_hyper_params",
              "Bearer " + token,
              null,
              RequestBody.create("{}".getBytes(StandardCharsets.UTF_8), APPLICATION_JSON));
      assertThat(tooOld.status).isEqualTo(404);
      assertThat(tooOld.json.path("meta").path("result_msg").asText())
          .contains("Unable to find endpoint for name tasks.edit_hyper_params and version 2.5");
      Answer path =
          send(
              stub.apiHost() + "/api/v2.14/tasks/create",
              "Bearer " + token,
              null,
              RequestBody.create("{}".getBytes(StandardCharsets.UTF_8), APPLICATION_JSON));
      assertThat(path.status).isEqualTo(404);
    }

    @Test
    void bodiesOver15MiBAre413() throws IOException {
      byte[] huge = new byte[15 * 1024 * 1024 + 1];
      java.util.Arrays.fill(huge, (byte) ' ');
      Answer a =
          send(
              stub.apiHost() + "/projects.get_all",
              "Bearer " + token,
              null,
              RequestBody.create(huge, APPLICATION_JSON));
      assertThat(a.status).isEqualTo(413);
    }

    @Test
    void theSummaryShowsWhatWasReceived() throws IOException {
      String id = newTask();
      try (Response r =
          http.newCall(new Request.Builder().url(stub.apiHost() + "/_stub/summary").build())
              .execute()) {
        JsonNode summary = JSON.readTree(r.body().string());
        assertThat(summary.path("tasks").findValuesAsText("id")).contains(id);
      }
    }
  }

  @Nested
  class Tasks {
    @Test
    void createNeedsANameAndAKnownType() throws IOException {
      Answer noType = call("tasks.create", "{\"name\":\"t\"}");
      Answer badType = call("tasks.create", "{\"name\":\"t\",\"type\":\"banana\"}");
      Answer numericValue =
          call(
              "tasks.create",
              "{\"name\":\"t\",\"type\":\"training\",\"hyperparams\":{\"General\":{\"lr\":"
                  + "{\"section\":\"General\",\"name\":\"lr\",\"value\":0.1}}}}");
      assertThat(noType.subcode()).isEqualTo(11);
      assertThat(badType.subcode()).isEqualTo(12);
      assertThat(numericValue.subcode()).isEqualTo(12);
    }

    @Test
    void aTaskStartsOnceAndCompletesOnlyFromInProgressOrStopped() throws IOException {
      String created = newTask();
      assertThat(call("tasks.completed", "{\"task\":\"" + created + "\"}").subcode())
          .isEqualTo(110);
      assertThat(call("tasks.started", "{\"task\":\"" + created + "\"}").status).isEqualTo(200);
      assertThat(call("tasks.started", "{\"task\":\"" + created + "\"}").subcode()).isEqualTo(110);
      assertThat(call("tasks.completed", "{\"task\":\"" + created + "\"}").status).isEqualTo(200);
      assertThat(call("tasks.ping", "{\"task\":\"nope\"}").subcode()).isEqualTo(101);
    }

    @Test
    void editsNeedCreatedOrForceWhileInProgressAndNeverAfterCompletion() throws IOException {
      String edit = "\"hyperparams\":[{\"section\":\"General\",\"name\":\"lr\",\"value\":\"0.1\"}]";
      String property =
          "\"hyperparams\":[{\"section\":\"properties\",\"name\":\"k\",\"value\":\"v\"}]";
      String created = newTask();
      assertThat(
              call("tasks.edit_hyper_params", "{\"task\":\"" + created + "\"," + edit + "}").status)
          .isEqualTo(200);

      String running = startedTask();
      assertThat(
              call("tasks.edit_hyper_params", "{\"task\":\"" + running + "\"," + edit + "}")
                  .subcode())
          .isEqualTo(110);
      assertThat(
              call(
                      "tasks.edit_hyper_params",
                      "{\"task\":\"" + running + "\"," + edit + ",\"force\":true}")
                  .status)
          .isEqualTo(200);
      assertThat(
              call(
                      "tasks.add_or_update_artifacts",
                      "{\"task\":\""
                          + running
                          + "\",\"artifacts\":[{\"key\":\"a\",\"type\":\"model\"}]}")
                  .subcode())
          .isEqualTo(110);

      call("tasks.completed", "{\"task\":\"" + running + "\"}");
      assertThat(
              call(
                      "tasks.edit_hyper_params",
                      "{\"task\":\"" + running + "\"," + edit + ",\"force\":true}")
                  .subcode())
          .isEqualTo(110);
      assertThat(
              call("tasks.edit_hyper_params", "{\"task\":\"" + running + "\"," + property + "}")
                  .status)
          .as("user properties change in any status")
          .isEqualTo(200);
    }

    @Test
    void artifactsNeedKeyTypeAndATimestampInSeconds() throws IOException {
      String running = startedTask();
      Answer noKey =
          call(
              "tasks.add_or_update_artifacts",
              "{\"task\":\"" + running + "\",\"force\":true,\"artifacts\":[{\"type\":\"model\"}]}");
      Answer millis =
          call(
              "tasks.add_or_update_artifacts",
              "{\"task\":\""
                  + running
                  + "\",\"force\":true,\"artifacts\":[{\"key\":\"a\",\"type\":\"model\","
                  + "\"timestamp\":1700000000000}]}");
      assertThat(noKey.subcode()).isEqualTo(11);
      assertThat(millis.subcode()).isEqualTo(12);
    }

    @Test
    void projectNamesAreRegularExpressionsSearchedNotMatched() throws IOException {
      call("projects.create", "{\"name\":\"alpha-betaXgamma\"}");
      assertThat(call("projects.create", "{\"name\":\"alpha-betaXgamma\"}").subcode())
          .isEqualTo(801);
      JsonNode loose =
          call("projects.get_all", "{\"name\":\"beta.gamma\"}").json.path("data").path("projects");
      JsonNode exact =
          call("projects.get_all", "{\"name\":\"^beta\\\\.gamma$\"}")
              .json
              .path("data")
              .path("projects");
      assertThat(loose.findValuesAsText("name")).contains("alpha-betaXgamma");
      assertThat(exact).isEmpty();
    }
  }

  @Nested
  class Events {
    @Test
    void theContentTypeMustBeExactlyJsonLines() throws IOException {
      String task = startedTask();
      String line = scalar(task, "\"iter\":1,\"value\":1.0");
      assertThat(events(line, MediaType.get("application/json-lines; charset=utf-8")).status)
          .isEqualTo(400);
      assertThat(events(line, APPLICATION_JSON).status).isEqualTo(400);
      assertThat(events(line, JSON_LINES).status).isEqualTo(200);
    }

    @Test
    void invalidEventsAreCountedAndABatchWithNoneAddedIs131() throws IOException {
      String task = startedTask();
      String lines =
          String.join(
              "\n",
              scalar(task, "\"iter\":1,\"value\":1.0"),
              "{\"type\":\"training_stats_scalar\",\"value\":1.0}",
              scalar(task, "\"iter\":1.5,\"value\":1.0"),
              scalar(task, "\"iter\":2,\"value\":1.0").replace("1700000000000", "1700000000"),
              scalar(task, "\"iter\":3,\"value\":\"high\""));
      Answer partly = events(lines, JSON_LINES);
      assertThat(partly.status).isEqualTo(200);
      assertThat(partly.json.path("data").path("added").asInt()).isEqualTo(1);
      assertThat(partly.json.path("data").path("errors").asInt()).isEqualTo(4);

      Answer none = events("{\"task\":\"" + task + "\",\"type\":\"bogus\"}", JSON_LINES);
      assertThat(none.status).isEqualTo(400);
      assertThat(none.subcode()).isEqualTo(131);
    }

    @Test
    void bareNanIsNotJson() throws IOException {
      String task = startedTask();
      assertThat(events(scalar(task, "\"iter\":1,\"value\":NaN"), JSON_LINES).status)
          .isEqualTo(400);
    }

    @Test
    void aRepeatedEventOverwritesItsEarlierCopy() throws IOException {
      String task = startedTask();
      events(scalar(task, "\"iter\":4,\"value\":1.0"), JSON_LINES);
      events(scalar(task, "\"iter\":4,\"value\":2.0"), JSON_LINES);
      assertThat(stub.events(task))
          .singleElement()
          .satisfies(e -> assertThat(e.path("value").asDouble()).isEqualTo(2.0));
    }
  }

  @Nested
  class FileServer {
    private Answer upload(String authorization, String path) throws IOException {
      return send(
          stub.filesHost() + "/",
          authorization,
          null,
          new MultipartBody.Builder()
              .setType(MultipartBody.FORM)
              .addFormDataPart(
                  path, path, RequestBody.create("data".getBytes(StandardCharsets.UTF_8), null))
              .build());
    }

    @Test
    void uploadsNeedTheBearerTokenNotBasic() throws IOException {
      assertThat(
              upload(
                      Credentials.basic(ClearmlStubServer.ACCESS_KEY, ClearmlStubServer.SECRET_KEY),
                      "p/x.bin")
                  .status)
          .isEqualTo(401);
      Answer ok = upload("Bearer " + token, "p/x.bin");
      assertThat(ok.status).isEqualTo(200);
      assertThat(ok.json.get(0).asText()).isEqualTo("p/x.bin");
      try (Response r =
          http.newCall(
                  new Request.Builder()
                      .url(stub.filesHost() + "/p/x.bin")
                      .header("Authorization", "Bearer " + token)
                      .build())
              .execute()) {
        assertThat(r.body().string()).isEqualTo("data");
      }
    }

    @Test
    void pathsMayNotEscapeAndBodiesMustBeMultipart() throws IOException {
      assertThat(upload("Bearer " + token, "p/../../etc/x").status).isEqualTo(400);
      assertThat(upload("Bearer " + token, "/abs/x").status).isEqualTo(400);
      Answer raw =
          send(
              stub.filesHost() + "/",
              "Bearer " + token,
              null,
              RequestBody.create("data".getBytes(StandardCharsets.UTF_8), null));
      assertThat(raw.status).isEqualTo(400);
    }
  }
}
