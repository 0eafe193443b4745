package dev.coba.trainer.report;

import java.io.IOException;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;

/**
 * Draws a chart into a PNG file. Drawing goes through AWT, which needs fonts and native libraries
 * (libfontmanager, libfreetype) that a bare server may lack: it then throws an Error, not an
 * IOException, which {@link ReportWriter} catches so that the report is still written.
 */
interface ChartRenderer {
  /** XChart's PNG encoder. */
  ChartRenderer PNG =
      (chart, file) -> BitmapEncoder.saveBitmap(chart, file.toString(), BitmapFormat.PNG);

  /** Writes {@code chart} as the PNG {@code file}. */
  void save(XYChart chart, Path file) throws IOException;
}
