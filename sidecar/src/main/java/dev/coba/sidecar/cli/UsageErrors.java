package dev.coba.sidecar.cli;

import dev.coba.core.InvalidInputException;
import dev.coba.core.cli.ExitCodes;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How failures reach the user: one short message on standard error, prefixed with the
 * command, and an exit code from {@link ExitCodes}. No usage dump: it would bury the message.
 */
public final class UsageErrors {
  private UsageErrors() {}

  /** picocli's parameter-exception handler: unknown option, missing value, bad number... */
  public static int handle(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
    UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
    return ExitCodes.BAD_INPUT;
  }

  /** picocli's execution-exception handler: anything a command did not expect is a bug. */
  public static int internalError(Exception ex, CommandLine cmd, ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": internal error: " + ex);
    ex.printStackTrace(err);
    return ExitCodes.INTERNAL;
  }

  /** For a command that only groups subcommands and was called without one. */
  public static ParameterException missingSubcommand(CommandSpec spec) {
    return new ParameterException(
        spec.commandLine(), "missing subcommand: choose one of " + spec.subcommands().keySet());
  }

  /** Reports bad input found by a command itself, as {@code <command>: <message>}; answers 2. */
  public static int badInput(Console console, CommandSpec spec, String message) {
    console.err().println(spec.qualifiedName() + ": " + message);
    console.err().flush();
    return ExitCodes.BAD_INPUT;
  }

  /** The same for an error of the core, which names its field. */
  public static int badInput(Console console, CommandSpec spec, InvalidInputException e) {
    return badInput(console, spec, e.field() + ": " + e.getMessage());
  }
}
