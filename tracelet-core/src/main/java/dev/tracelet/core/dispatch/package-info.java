/** Part of the Tracelet runtime; not API. */
@NullMarked
package dev.tracelet.core.dispatch;

import org.jspecify.annotations.NullMarked;
