/**
 * {@code report.html} of a training run: a settings table, a table comparing the methods, and PNG
 * charts (drawn headless with XChart) of the normalised validation-loss ratios, the weights and
 * CoBa's DF over steps. Entry point: {@link dev.coba.trainer.report.ReportWriter#write}.
 */
package dev.coba.trainer.report;
