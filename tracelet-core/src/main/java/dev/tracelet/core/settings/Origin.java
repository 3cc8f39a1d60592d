package dev.tracelet.core.settings;

/** Where one setting's value came from, for error messages and {@code tracelet doctor}. */
record Origin(Kind kind, String detail) {
  enum Kind {
    DEFAULT,
    FILE,
    ENVIRONMENT,
    SYSTEM_PROPERTY,
    START_CONFIG
  }

  static Origin defaults() {
    return new Origin(Kind.DEFAULT, "built-in default");
  }

  @Override
  public String toString() {
    return detail;
  }
}
