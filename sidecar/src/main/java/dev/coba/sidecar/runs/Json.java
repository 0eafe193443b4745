package dev.coba.sidecar.runs;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON settings of the journal: doubles round-trip exactly, numbers stay numbers. */
final class Json {
  private Json() {}

  static ObjectMapper mapper() {
    ObjectMapper m = new ObjectMapper();
    m.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // newer journals may add fields
    m.enable(DeserializationFeature.USE_LONG_FOR_INTS);
    m.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    return m;
  }
}
