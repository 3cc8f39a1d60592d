/**
 * The {@code tracelet} command: {@link dev.tracelet.cli.TraceletCli} and its subcommands. Every
 * command reaches backends through a {@link dev.tracelet.core.TraceletEngine}, as a user program
 * would, and closes it before it exits.
 */
@NullMarked
package dev.tracelet.cli;

import org.jspecify.annotations.NullMarked;
