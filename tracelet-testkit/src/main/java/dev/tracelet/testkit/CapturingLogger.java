package dev.tracelet.testkit;

import dev.tracelet.testkit.security.SecretScan;
import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A {@link System.Logger} that keeps everything logged to it, at every level, so a test can check
 * what a backend logged. Hand it to a backend with {@link TestBackendContext.Builder#logger}.
 * Thread-safe. Not final, so a test may add its own views of {@link #entries()}.
 *
 * <p>Messages are formatted the way {@link System.Logger} formats them: with {@link MessageFormat}
 * when there are parameters, as given when there are none; a {@code null} message is kept as {@code
 * "null"}.
 */
public class CapturingLogger implements System.Logger {
  /**
   * One call to the logger.
   *
   * @param level the level it was logged at
   * @param message the formatted message, without the exception
   * @param thrown the exception logged with it, if any
   */
  public record Entry(Level level, String message, @Nullable Throwable thrown) {}

  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  /** Everything logged so far, oldest first. */
  public List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** The messages logged at exactly {@code level}, oldest first, without their exceptions. */
  public List<String> messagesAt(Level level) {
    return entries.stream().filter(e -> e.level() == level).map(Entry::message).toList();
  }

  /** The messages logged at {@code level} or more severe, oldest first, without exceptions. */
  public List<String> messagesAtLeast(Level level) {
    return entries.stream()
        .filter(e -> e.level().getSeverity() >= level.getSeverity())
        .map(Entry::message)
        .toList();
  }

  /**
   * The whole log as one text, the way a log file would show it: a line {@code "LEVEL message"} per
   * entry, each followed by the stack trace, with causes, of the exception logged with it. What a
   * secret scan searches.
   */
  public String text() {
    StringBuilder out = new StringBuilder();
    for (Entry e : entries) {
      if (out.length() > 0) {
        out.append('\n');
      }
      out.append(e.level()).append(' ').append(e.message());
      Throwable thrown = e.thrown();
      if (thrown != null) {
        out.append('\n').append(SecretScan.describe(thrown));
      }
    }
    return out.toString();
  }

  @Override
  public final String getName() {
    return "capture";
  }

  @Override
  public final boolean isLoggable(Level level) {
    return true;
  }

  @Override
  public final void log(
      Level level,
      @Nullable ResourceBundle bundle,
      @Nullable String msg,
      @Nullable Throwable thrown) {
    entries.add(new Entry(level, String.valueOf(msg), thrown));
  }

  @Override
  public final void log(
      Level level,
      @Nullable ResourceBundle bundle,
      @Nullable String format,
      @Nullable Object... params) {
    entries.add(
        new Entry(
            level,
            params == null || params.length == 0 || format == null
                ? String.valueOf(format)
                : MessageFormat.format(format, params),
            null));
  }
}
