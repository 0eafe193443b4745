package dev.coba.sidecar.runs;

/** A created run, or the existing one with the same definition ({@code created} false). */
public record CreateResult(RunView run, boolean created) {}
