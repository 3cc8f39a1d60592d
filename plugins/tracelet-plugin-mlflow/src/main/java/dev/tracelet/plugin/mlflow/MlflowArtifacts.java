package dev.tracelet.plugin.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.BackendException;
import dev.tracelet.http.FileRequestBody;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;

/**
 * A run's artifacts through MLflow's {@code mlflow-artifacts} proxy: uploads streamed from disk
 * file by file, listing through the tracking API, downloads streamed to disk.
 */
final class MlflowArtifacts {
  private static final String PROXY_PATH = "api/2.0/mlflow-artifacts/artifacts";

  private final MlflowApi api;
  private final System.Logger logger;

  MlflowArtifacts(MlflowApi api, System.Logger logger) {
    this.api = api;
    this.logger = logger;
  }

  /**
   * The HTTP URL of {@code relPath} under a run's {@code artifact_uri}: the scheme from the
   * tracking URI, the host from the artifact URI if it has one, the path below the proxy.
   */
  HttpUrl resolve(String artifactUri, String relPath) {
    URI uri = URI.create(artifactUri);
    if (!"mlflow-artifacts".equals(uri.getScheme())) {
      throw new BackendException(
          MlflowBackendPlugin.NAME,
          "The run's artifact location is '"
              + artifactUri
              + "', which only the server can write to. Start the MLflow server with artifact"
              + " serving (mlflow server --serve-artifacts --artifacts-destination ...) so that"
              + " artifacts go through its mlflow-artifacts proxy.");
    }
    HttpUrl base = api.trackingUri();
    if (uri.getHost() != null) {
      base =
          base.newBuilder()
              .host(uri.getHost())
              .port(uri.getPort() > 0 ? uri.getPort() : base.port())
              .build();
    }
    HttpUrl.Builder b = base.newBuilder();
    for (String seg : (PROXY_PATH + "/" + uri.getPath() + "/" + relPath).split("/")) {
      if (!seg.isEmpty()) {
        b.addPathSegment(seg);
      }
    }
    return b.build();
  }

  /** Uploads one file to {@code relPath} under the run's artifacts, reporting progress. */
  void upload(String artifactUri, String relPath, Path file, Progress progress) {
    HttpUrl url = resolve(artifactUri, relPath);
    String guessed = URLConnection.guessContentTypeFromName(file.getFileName().toString());
    MediaType type = MediaType.parse(guessed == null ? "application/octet-stream" : guessed);
    FileRequestBody body = new FileRequestBody(file, type, progress::fileBytes);
    api.callDiscardingBody(new Request.Builder().url(url).put(body).build());
    progress.fileDone();
  }

  /**
   * Every file at or under {@code path} of a run (recursively), with sizes; empty if none. MLflow
   * lists the children of a folder, so a single file is found in its parent's listing.
   */
  Map<String, Long> list(String runId, String path) {
    Map<String, Long> out = new LinkedHashMap<>();
    List<String> dirs = new ArrayList<>(List.of(path));
    while (!dirs.isEmpty()) {
      String dir = dirs.remove(dirs.size() - 1);
      listOneLevel(
          runId,
          dir,
          (p, isDir, size) -> {
            if (isDir) {
              dirs.add(p);
            } else {
              out.put(p, size);
            }
          });
    }
    if (out.isEmpty() && !path.isEmpty()) {
      int slash = path.lastIndexOf('/');
      listOneLevel(
          runId,
          slash < 0 ? "" : path.substring(0, slash),
          (p, isDir, size) -> {
            if (!isDir && p.equals(path)) {
              out.put(p, size);
            }
          });
    }
    return out;
  }

  private interface Entry {
    void accept(String path, boolean isDir, long size);
  }

  private void listOneLevel(String runId, String dir, Entry entry) {
    String token = null;
    do {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("run_id", runId);
      if (!dir.isEmpty()) {
        q.put("path", dir);
      }
      if (token != null) {
        q.put("page_token", token);
      }
      ObjectNode r = api.get("artifacts/list", q);
      for (JsonNode f : r.path("files")) {
        entry.accept(
            f.path("path").asText(),
            f.path("is_dir").asBoolean(false),
            f.path("file_size").asLong(0));
      }
      token = r.path("next_page_token").asText(null);
    } while (token != null && !token.isEmpty());
  }

  /**
   * Downloads {@code path} of a run into {@code target}: one file, or a folder with its files.
   *
   * @return the downloaded file, or the folder; null if the run has nothing at {@code path}
   */
  @org.jspecify.annotations.Nullable
  Path download(String runId, String artifactUri, String path, Path target) {
    Map<String, Long> files = list(runId, path);
    if (files.isEmpty()) {
      return null;
    }
    if (files.size() == 1 && files.containsKey(path)) {
      api.download(resolve(artifactUri, path), target);
      return target;
    }
    for (String f : files.keySet()) {
      String rel = f.substring(path.length()).replaceFirst("^/", "");
      api.download(resolve(artifactUri, f), target.resolve(rel));
    }
    return target;
  }

  /** Logs upload progress of an artifact: per file, and every 10% of a large file. */
  static final class Progress {
    private final System.Logger logger;
    private final String artifact;
    private final int totalFiles;
    private final long totalBytes;
    private int filesDone;
    private long bytesDone;
    private long currentFile;
    private int lastDecile;

    Progress(System.Logger logger, String artifact, int totalFiles, long totalBytes) {
      this.logger = logger;
      this.artifact = artifact;
      this.totalFiles = totalFiles;
      this.totalBytes = totalBytes;
    }

    void fileBytes(long sent) {
      currentFile = sent;
      if (totalBytes < 8 * 1024 * 1024) {
        return; // small artifacts: a line per file is enough
      }
      int decile = (int) ((bytesDone + sent) * 10 / Math.max(1, totalBytes));
      if (decile > lastDecile) {
        lastDecile = decile;
        logger.log(
            Level.INFO,
            "mlflow: artifact {0}: {1}% ({2} of {3} bytes)",
            artifact,
            decile * 10,
            bytesDone + sent,
            totalBytes);
      }
    }

    void fileDone() {
      filesDone++;
      bytesDone += currentFile;
      currentFile = 0;
      logger.log(
          Level.DEBUG,
          "mlflow: artifact {0}: {1} of {2} files uploaded ({3} of {4} bytes)",
          artifact,
          filesDone,
          totalFiles,
          bytesDone,
          totalBytes);
    }

    int filesDone() {
      return filesDone;
    }

    long bytesDone() {
      return bytesDone;
    }
  }
}
