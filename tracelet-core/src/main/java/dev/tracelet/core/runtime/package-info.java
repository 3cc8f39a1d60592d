/** Part of the Tracelet runtime; not API. */
@NullMarked
package dev.tracelet.core.runtime;

import org.jspecify.annotations.NullMarked;
