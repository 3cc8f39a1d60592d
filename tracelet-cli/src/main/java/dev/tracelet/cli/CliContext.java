package dev.tracelet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.settings.SettingsSources;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * What every command shares: where settings come from, the output streams and the terminal width.
 * Commands get it through their constructor (see {@link TraceletCli}), so tests can run them
 * against their own sources and capture what they print.
 */
final class CliContext {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final SettingsSources sources;
  private final PrintWriter out;
  private final PrintWriter err;
  private final int width;

  /**
   * @param width the terminal width tables fit into; 0 or less for no limit
   */
  CliContext(SettingsSources sources, PrintWriter out, PrintWriter err, int width) {
    this.sources = sources;
    this.out = out;
    this.err = err;
    this.width = width;
  }

  SettingsSources sources() {
    return sources;
  }

  PrintWriter out() {
    return out;
  }

  PrintWriter err() {
    return err;
  }

  /** A new engine over {@link #sources()}: loads the plugins and settings. Close it when done. */
  TraceletEngine openEngine() {
    return TraceletEngine.create(sources);
  }

  /** Opens an engine and the backend's store, runs {@code action}, and closes the engine. */
  int withStore(String backend, StoreAction action) {
    try (TraceletEngine engine = openEngine()) {
      return action.run(engine, engine.store(backend));
    }
  }

  /** A command's work against one backend's store. */
  @FunctionalInterface
  interface StoreAction {
    int run(TraceletEngine engine, RunStore store);
  }

  void print(Table table) {
    out.print(table.render(width));
    out.flush();
  }

  /** Prints a value (maps, lists, strings, numbers, booleans) as indented JSON. */
  void printJson(Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    out.flush();
  }
}
