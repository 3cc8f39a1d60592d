package dev.tracelet.core.plugin;

/** Turns a failure into one readable line: the messages of its cause chain. */
public final class Failures {
  private Failures() {}

  public static String describe(Throwable e) {
    StringBuilder b = new StringBuilder();
    Throwable t = e;
    for (int depth = 0; t != null && depth < 4; depth++) {
      String msg = t.getMessage();
      String part = msg == null || msg.isBlank() ? t.getClass().getSimpleName() : msg;
      if (b.indexOf(part) < 0) {
        if (b.length() > 0) {
          b.append(": ");
        }
        b.append(part);
      }
      if (t.getCause() == t) {
        break;
      }
      t = t.getCause();
    }
    return b.toString();
  }
}
