package dev.tracelet.api.store;

/** One point of a metric's history; {@code timestamp} is epoch milliseconds (UTC). */
public record MetricPoint(long step, long timestamp, double value) {}
