package dev.tracelet.api.artifact;

import java.util.regex.Pattern;

/** Checks that artifact-relative paths cannot escape the place they are stored under. */
public final class ArtifactPaths {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._+@=,-][A-Za-z0-9 ._+@=,-]*");

  private ArtifactPaths() {}

  /**
   * Returns {@code path} if it is a relative, {@code /}-separated path whose segments are made of
   * letters, digits, space and {@code ._+@=,-}, none of them {@code .} or {@code ..}; otherwise
   * throws {@link IllegalArgumentException} naming {@code what} and the rule.
   */
  public static String requireSafeRelative(String path, String what) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (path.length() > 1024) {
      throw new IllegalArgumentException(what + " is longer than 1024 characters");
    }
    for (String seg : path.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..") || !SEGMENT.matcher(seg).matches()) {
        throw new IllegalArgumentException(
            what
                + " '"
                + printable(path)
                + "' is not a safe relative path: use '/'-separated segments of letters, digits,"
                + " space and ._+@=,- (no leading '/', no empty, '.' or '..' segments)");
      }
    }
    return path;
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints()
        .limit(200)
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
              } else {
                b.appendCodePoint(c);
              }
            });
    return b.toString();
  }
}
