package io.switchboard.api.dashboard;

import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResource;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResourceDirectory;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.pathSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeaders;

import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The dashboard's page and scripts (from this module's resources, no build step) and third-party
 * browser libraries (WebJars, from the classpath), with headers that keep the page to its own
 * origin: no inline script or style, no framing.
 */
public final class DashboardAssets {

  static final List<HttpHeader> HEADERS =
      List.of(
          RawHeader.create(
              "Content-Security-Policy",
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self';"
                  + " frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Referrer-Policy", "no-referrer"),
          RawHeader.create("X-Frame-Options", "DENY"));

  private DashboardAssets() {}

  public static Route route() {
    return respondWithHeaders(
        HEADERS,
        () ->
            get(
                () ->
                    concat(
                        pathSingleSlash(
                            () ->
                                getFromResource(
                                    "dashboard/index.html", ContentTypes.TEXT_HTML_UTF8)),
                        pathPrefix("assets", () -> getFromResourceDirectory("dashboard")),
                        pathPrefix(
                            "webjars",
                            () -> getFromResourceDirectory("META-INF/resources/webjars")))));
  }
}
