package dev.coba.sidecar.cli;

/** The exit codes of every command, in one place so that help texts and code agree. */
public final class ExitCodes {
  public static final int OK = 0;
  /** A bug or an environment failure: the stack trace goes to standard error. */
  public static final int INTERNAL = 1;
  /** Bad input or usage: unknown option, bad parameter, malformed report line. */
  public static final int BAD_INPUT = 2;

  /** The help footer listing them. */
  public static final String FOOTER = "  0  success%n"
      + "  1  the environment failed (port taken, data directory locked or unreadable)%n"
      + "     or an internal error (a bug; the stack trace is on standard error)%n"
      + "  2  bad usage or input; the message names the option, line or field";

  private ExitCodes() {}
}
