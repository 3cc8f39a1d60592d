package dev.tracelet.plugin.wandb;

import org.jspecify.annotations.Nullable;

/**
 * What a file-stream request was answered with.
 *
 * @param stopped the user pressed Stop in the W&amp;B UI
 * @param rateLimitRemaining the {@code RateLimit-Remaining} header, or null
 * @param rateLimitReset the {@code RateLimit-Reset} header, or null
 */
record FileStreamAnswer(
    boolean stopped, @Nullable String rateLimitRemaining, @Nullable String rateLimitReset) {
  static final FileStreamAnswer OK = new FileStreamAnswer(false, null, null);
}
