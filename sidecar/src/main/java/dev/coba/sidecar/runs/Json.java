package dev.coba.sidecar.runs;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The JSON settings of the journal: doubles round-trip exactly, numbers stay numbers, and
 * characters beyond the Basic Multilingual Plane are written as UTF-8 (journals of older
 * builds hold them as escaped surrogate pairs: {@link JournalStore} reads both).
 */
final class Json {
  private Json() {}

  static ObjectMapper mapper() {
    ObjectMapper m =
        JsonMapper.builder()
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            // the same doubles as the JDK's parser, several times faster: most of a replay is
            // reading losses
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            // shortest digits that read back as the same double (Schubfach), without the JDK's slow
            // path
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();
    m.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES); // newer journals may add fields
    m.enable(DeserializationFeature.USE_LONG_FOR_INTS);
    m.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    return m;
  }
}
