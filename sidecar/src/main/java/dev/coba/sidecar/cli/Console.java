package dev.coba.sidecar.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * The streams a command talks to, injected so that tests run commands in-process.
 *
 * @param in standard input (replay reads reports from it)
 * @param out standard output as bytes: JSON lines are written in UTF-8 whatever the platform charset
 * @param err standard error as text, shared with picocli so that messages keep their order
 */
public record Console(InputStream in, PrintStream out, PrintWriter err) {}
