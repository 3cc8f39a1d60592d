package dev.tracelet.plugin.mlflow;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A System.Logger that keeps what was logged, so tests can check warnings. */
final class RecordingLogger implements System.Logger {
  final List<String> lines = new CopyOnWriteArrayList<>();

  @Override
  public String getName() {
    return "test";
  }

  @Override
  public boolean isLoggable(Level level) {
    return true;
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
    lines.add(level + " " + msg);
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    lines.add(
        level
            + " "
            + (params == null || params.length == 0
                ? format
                : MessageFormat.format(format, params)));
  }

  List<String> at(Level level) {
    return lines.stream().filter(l -> l.startsWith(level.name())).toList();
  }
}
