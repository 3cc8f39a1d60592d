/** Artifacts: files, serialised objects, external references and models logged by a run. */
@NullMarked
package dev.tracelet.api.artifact;

import org.jspecify.annotations.NullMarked;
