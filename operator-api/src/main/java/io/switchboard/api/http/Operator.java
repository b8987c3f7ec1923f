package io.switchboard.api.http;

import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;

import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who is acting, for the audit log: the signed-in operator (sign-in sets this header itself and
 * drops any the client sent), or with sign-in off, whatever the client names.
 */
public final class Operator {

  /** Carries the operator's name inside the API; {@code anonymous} without it. */
  public static final String HEADER = "X-Switchboard-Operator";

  private Operator() {}

  public static Route named(Function<String, Route> inner) {
    return optionalHeaderValueByName(
        HEADER,
        operator -> inner.apply(operator.filter(name -> !name.isBlank()).orElse("anonymous")));
  }
}
