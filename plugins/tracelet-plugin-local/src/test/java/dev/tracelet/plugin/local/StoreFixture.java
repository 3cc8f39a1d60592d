package dev.tracelet.plugin.local;

import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A store in a temporary folder plus helpers to open runs and log into them. */
final class StoreFixture implements AutoCloseable {
  final Path dir;
  final LocalStore store;
  final LocalRunStore runs;

  StoreFixture(Path tempDir) {
    this.dir = tempDir.resolve("tracelet-runs");
    try {
      Files.createDirectories(tempDir.resolve("tracelet-runs-scratch"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.store = LocalStore.open(LocalSettings.from(context("default").config()), logger());
    this.runs = store.runStore();
  }

  TestContext context(String project) {
    return TestContext.of(dir, project);
  }

  LocalSession open(String project) {
    return LocalSession.open(store, context(project));
  }

  LocalSession open(TestContext context) {
    return LocalSession.open(store, context);
  }

  static System.Logger logger() {
    return System.getLogger("tracelet.test.local");
  }

  static EventBatch metrics(String name, double... values) {
    List<MetricEvent> events = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int i = 0; i < values.length; i++) {
      events.add(new MetricEvent(name, values[i], i, now + i));
    }
    return EventBatch.ofMetrics(events);
  }

  static EventBatch params(Map<String, ?> params) {
    List<ParamEvent> events = new ArrayList<>();
    params.forEach((k, v) -> events.add(new ParamEvent(k, v)));
    return new EventBatch(List.of(), events, List.of());
  }

  static EventBatch tags(Map<String, String> tags) {
    List<TagEvent> events = new ArrayList<>();
    tags.forEach((k, v) -> events.add(new TagEvent(k, v)));
    return new EventBatch(List.of(), List.of(), events);
  }

  /** A file with {@code content} under the fixture's folder. */
  Path file(String name, String content) {
    try {
      Path p = dir.resolveSibling("files").resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, content);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
