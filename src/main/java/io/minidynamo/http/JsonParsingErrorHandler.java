package io.minidynamo.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Renders requests so malformed that Pekko HTTP rejects them before routing (an illegal request
 * target, a URI over the length limit, a bad header) as the API's JSON errors, with Pekko's status.
 * Configured as {@code pekko.http.server.parsing.error-handler}.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    return Json.error(status.intValue(), info.summary());
  }
}
