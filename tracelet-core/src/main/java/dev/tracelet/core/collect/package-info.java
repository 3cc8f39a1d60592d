/** Part of the Tracelet runtime; not API. */
@NullMarked
package dev.tracelet.core.collect;

import org.jspecify.annotations.NullMarked;
