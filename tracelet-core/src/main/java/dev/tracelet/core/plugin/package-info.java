/** Part of the Tracelet runtime; not API. */
@NullMarked
package dev.tracelet.core.plugin;

import org.jspecify.annotations.NullMarked;
