package dev.coba.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FormattingTest {
  @Test
  void fourSignificantDigitsInEveryLocale() {
    assertEquals("0.1235", NumberFormatter.fourSignificant(0.123456));
    assertEquals("0.5000", NumberFormatter.fourSignificant(0.5));
    assertEquals("1235", NumberFormatter.fourSignificant(1234.6));
    assertEquals("1.235e+04", NumberFormatter.fourSignificant(12345.0));
    assertEquals("NaN", NumberFormatter.fourSignificant(Double.NaN));
    assertEquals("Infinity", NumberFormatter.fourSignificant(Double.POSITIVE_INFINITY));
  }

  @Test
  void exactValueReadsBackTheSameDouble() {
    double value = 0.1 + 0.2;
    assertEquals(value, Double.parseDouble(NumberFormatter.exact(value)));
  }

  @Test
  void escapesEverythingHtmlCouldTakeForMarkup() {
    assertEquals("a&lt;b&amp;&quot;c&#39;&gt;", HtmlText.escape("a<b&\"c'>"));
    assertEquals("plain", HtmlText.escape("plain"));
  }

  @Test
  void methodNamesBecomeSafeFileNameParts() {
    assertEquals("famo-val", ReportWriter.fileNamePart("FAMO*/val"));
    assertEquals("method", ReportWriter.fileNamePart("<>"));
  }
}
