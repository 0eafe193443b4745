package dev.coba.sidecar.replay;

import dev.coba.core.Report;

/** A report and the input line it came from, so that the balancer's refusals can name the line. */
public record LineReport(int line, Report report) {}
