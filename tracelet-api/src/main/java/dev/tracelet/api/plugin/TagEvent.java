package dev.tracelet.api.plugin;

import java.util.Objects;

/** One run tag; a later value for the same key replaces the earlier one. */
public record TagEvent(String key, String value) {
  public TagEvent {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
