/**
 * What a {@code train} run found, as written to {@code results.json} and drawn in
 * {@code report.html}: per method the selected checkpoint, per-task test-loss ratios and best
 * steps, the full-validation curves, and the weights (and DF) over steps.
 */
package dev.coba.trainer.results;
