package dev.tracelet.api.artifact;

import java.util.Locale;

/** What an artifact is, so that each backend can take the kinds it is best at. */
public enum ArtifactType {
  MODEL("model"),
  CHECKPOINT("checkpoint"),
  WEIGHTS("weights"),
  DATASET("dataset"),
  SAMPLE("sample"),
  IMAGE("image"),
  AUDIO("audio"),
  VIDEO("video"),
  VISUALIZATION("viz"),
  REPORT("report"),
  CONFIG("config"),
  CODE("code"),
  CUSTOM("custom");

  private final String value;

  ArtifactType(String value) {
    this.value = value;
  }

  /** The seed's string value ({@code "viz"} for {@link #VISUALIZATION}). */
  public String value() {
    return value;
  }

  /** The type whose {@link #value()} or name is {@code text}, ignoring case. */
  public static ArtifactType fromValue(String text) {
    for (ArtifactType t : values()) {
      if (t.value.equalsIgnoreCase(text) || t.name().equalsIgnoreCase(text)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "Unknown artifact type '" + text + "'; use one of " + java.util.Arrays.toString(values()));
  }

  /** The type a file most likely is, judged by its extension; {@link #CUSTOM} when unsure. */
  public static ArtifactType inferFromFileName(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    String ext = dot < 0 ? "" : n.substring(dot + 1);
    return switch (ext) {
      case "onnx",
          "pt",
          "pth",
          "pb",
          "h5",
          "keras",
          "joblib",
          "pkl",
          "pmml",
          "zip",
          "safetensors",
          "model" ->
          MODEL;
      case "ckpt" -> CHECKPOINT;
      case "bin", "weights", "npz" -> WEIGHTS;
      case "csv", "tsv", "parquet", "arrow", "jsonl", "tfrecord", "avro", "orc" -> DATASET;
      case "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp" -> IMAGE;
      case "wav", "mp3", "flac", "ogg" -> AUDIO;
      case "mp4", "avi", "mov", "mkv", "webm" -> VIDEO;
      case "svg" -> VISUALIZATION;
      case "html", "htm", "pdf", "ipynb", "md" -> REPORT;
      case "yaml", "yml", "json", "toml", "properties", "ini", "conf", "cfg" -> CONFIG;
      case "java", "py", "kt", "scala", "sh", "diff", "patch" -> CODE;
      default -> CUSTOM;
    };
  }
}
