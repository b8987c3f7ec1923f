package io.switchboard.api.components;

import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Json;
import io.switchboard.persistence.components.ComponentStore;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/components}: every component type agents reported (OpAMP available_components),
 * by kind and type, with how many agents have it.
 */
public final class ComponentRoutes {

  private final ComponentStore components;
  private final ObjectMapper json;

  public ComponentRoutes(ComponentStore components, ObjectMapper json) {
    this.components = components;
    this.json = json;
  }

  public Route route() {
    return path(
        "components",
        () ->
            get(
                () ->
                    onSuccess(
                        components.fleetCounts(),
                        counts ->
                            Json.respond(json, StatusCodes.OK, Map.of("components", counts)))));
  }
}
