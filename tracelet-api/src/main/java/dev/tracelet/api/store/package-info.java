/**
 * The read side: experiments, runs, metric history, results tables and the model registry, the same
 * for every backend whose server can answer queries.
 */
@NullMarked
package dev.tracelet.api.store;

import org.jspecify.annotations.NullMarked;
