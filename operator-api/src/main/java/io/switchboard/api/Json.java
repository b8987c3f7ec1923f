package io.switchboard.api;

import static org.apache.pekko.http.javadsl.server.Directives.complete;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.server.Route;

/** JSON answers with the API's one ObjectMapper. */
public final class Json {

  private Json() {}

  public static Route respond(ObjectMapper json, StatusCode status, Object body) {
    return complete(status, body, Jackson.marshaller(json));
  }
}
