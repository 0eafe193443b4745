package dev.coba.sidecar.cli;

import dev.coba.core.cli.ExitCodes;

/**
 * Help text that several of the sidecar's commands share. The codes themselves are core's
 * {@link ExitCodes}, which the trainer's commands use too.
 */
public final class HelpText {
  /** The footer listing the exit codes, so that help texts and code agree. */
  public static final String EXIT_CODES =
      "  "
          + ExitCodes.OK
          + "  success%n"
          + "  "
          + ExitCodes.INTERNAL
          + "  the environment failed (port taken, data directory locked or unreadable)%n"
          + "     or an internal error (a bug; the stack trace is on standard error)%n"
          + "  "
          + ExitCodes.BAD_INPUT
          + "  bad usage or input; the message names the option, line or field";

  private HelpText() {}
}
