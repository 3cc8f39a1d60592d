package dev.tracelet.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of this API, taken from the build, never written by hand. */
public final class TraceletVersion {
  private static final Properties PROPS = load();

  private TraceletVersion() {}

  /** The full build version, such as {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    return PROPS.getProperty("version", "unknown");
  }

  /**
   * The version plugins' {@code Plugin-Requires} is checked against: {@link #version()} without a
   * qualifier, since SemVer orders {@code 0.1.0-SNAPSHOT} below {@code 0.1.0}.
   */
  public static String apiVersion() {
    return PROPS.getProperty("api.version", "0.0.0");
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = TraceletVersion.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
