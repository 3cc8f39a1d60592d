/**
 * The embedded local backend: a SQLite store (WAL mode) of experiments, runs, parameters, tags,
 * metric histories, an artifact index and a model registry, with artifact files beside it. It is
 * what {@code backend: local} selects and what {@code Tracelet.store("local")} reads.
 */
@NullMarked
package dev.tracelet.plugin.local;

import org.jspecify.annotations.NullMarked;
