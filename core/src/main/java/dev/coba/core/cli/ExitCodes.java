package dev.coba.core.cli;

/**
 * The exit codes of every command of this project, defined once: the sidecar's ({@code serve},
 * {@code replay}, {@code bench core|http}) and the reference trainer's ({@code train},
 * {@code bench train}). Each command's help says what they mean for it.
 *
 * <p>They live in core because core is the one module both programs see. The trainer must not
 * depend on the sidecar (that would put the HTTP server on the trainer's class path and into
 * {@code lib/trainer/}), and the sidecar cannot depend on the trainer (it loads the trainer by
 * name at run time, so that {@code serve} and the serving image never carry DJL and libtorch).
 * Core itself has no command line.
 */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;

  /** A bug or an environment failure (disk, port, libtorch): the cause goes to standard error. */
  public static final int INTERNAL = 1;

  /** Bad input or usage (an option, a data file's line, a field); the message names it. */
  public static final int BAD_INPUT = 2;

  private ExitCodes() {}
}
