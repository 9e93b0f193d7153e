package io.minidynamo.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** JSON bodies of the client and debug API: responses and the {@code {"error": ...}} shape. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static HttpResponse response(int status, Object body) {
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(ContentTypes.APPLICATION_JSON, bytes);
  }

  /** {@code {"error": message, ...extra}} with the given status. */
  static HttpResponse error(int status, String message, Object... extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.putAll(object(extra));
    return response(status, body);
  }

  /** An ordered map from alternating keys and values, for small bodies. */
  static Map<String, Object> object(Object... keysAndValues) {
    Map<String, Object> body = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
      body.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return body;
  }
}
