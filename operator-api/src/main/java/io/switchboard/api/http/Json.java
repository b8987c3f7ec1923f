package io.switchboard.api.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.server.Route;

/** JSON answers with the API's one ObjectMapper. */
public final class Json {

  private Json() {}

  /**
   * The API's mapper, made once by the node and handed to every route: names in snake_case (the
   * API's fields are named explicitly; records read from the stores get theirs from this), unknown
   * fields in a body refused.
   */
  public static ObjectMapper mapper() {
    return new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  }

  public static Route respond(ObjectMapper json, StatusCode status, Object body) {
    return complete(status, body, Jackson.marshaller(json));
  }
}
