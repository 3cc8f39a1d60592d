/** Part of the Tracelet runtime; not API. */
@NullMarked
package dev.tracelet.core.settings;

import org.jspecify.annotations.NullMarked;
