package dev.coba.trainer.results;

/** CoBa's divergence factor after the report of {@code step} (only methods that have one). */
public record DfPoint(long step, double df) {}
