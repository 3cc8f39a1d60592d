package dev.tracelet.plugin.wandb;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** A {@link System.Logger} that keeps every formatted message, for assertions. Thread-safe. */
final class RecordingLogger implements System.Logger {
  record Entry(Level level, String message) {}

  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  List<Entry> entries() {
    return List.copyOf(entries);
  }

  List<String> messages(Level atLeast) {
    return entries.stream()
        .filter(e -> e.level().getSeverity() >= atLeast.getSeverity())
        .map(Entry::message)
        .toList();
  }

  @Override
  public String getName() {
    return "recording";
  }

  @Override
  public boolean isLoggable(Level level) {
    return true;
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
    entries.add(new Entry(level, msg + (thrown == null ? "" : " " + thrown)));
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    entries.add(
        new Entry(
            level,
            params == null || params.length == 0 ? format : MessageFormat.format(format, params)));
  }

  @Override
  public void log(Level level, Supplier<String> msgSupplier) {
    entries.add(new Entry(level, msgSupplier.get()));
  }
}
