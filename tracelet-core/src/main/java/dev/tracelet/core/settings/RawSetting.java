package dev.tracelet.core.settings;

/** A setting as found, before it is parsed: its canonical key, text and origin. */
record RawSetting(String key, String value, Origin origin) {}
