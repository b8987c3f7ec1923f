package io.switchboard.api.agents;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Operator;
import io.switchboard.api.http.Problem;
import io.switchboard.opamp.json.Storable;
import io.switchboard.persistence.agents.AgentRepository;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code PUT /api/agents/{id}/labels}: replaces an agent's labels, e.g. {@code {"labels": {"env":
 * "prod"}}}.
 */
public final class AgentLabelRoutes {

  private static final int MAX_LABELS = 64;
  private static final int MAX_LENGTH = 253;

  record LabelsBody(@JsonProperty("labels") Map<String, String> labels) {

    String problem() {
      if (labels == null) {
        return "labels is required (an object of strings; {} removes every label)";
      }
      if (labels.size() > MAX_LABELS) {
        return "at most " + MAX_LABELS + " labels";
      }
      for (Map.Entry<String, String> label : labels.entrySet()) {
        if (label.getKey().isBlank() || label.getKey().length() > MAX_LENGTH) {
          return "label keys must be 1 to " + MAX_LENGTH + " characters";
        }
        if (label.getValue() == null || label.getValue().length() > MAX_LENGTH) {
          return "label '"
              + label.getKey()
              + "' needs a string value of at most "
              + MAX_LENGTH
              + " characters";
        }
        if (!Storable.isStorable(label.getKey()) || !Storable.isStorable(label.getValue())) {
          return "label '"
              + Storable.text(label.getKey())
              + "' holds U+0000 or an unpaired surrogate";
        }
      }
      return null;
    }
  }

  private final AgentRepository agents;
  private final ObjectMapper json;

  /** Told of every relabelled agent, so that its winning assignment follows its labels. */
  private final java.util.function.Consumer<String> relabelled;

  public AgentLabelRoutes(AgentRepository agents, ObjectMapper json) {
    this(agents, json, uid -> {});
  }

  public AgentLabelRoutes(
      AgentRepository agents, ObjectMapper json, java.util.function.Consumer<String> relabelled) {
    this.agents = agents;
    this.json = json;
    this.relabelled = relabelled;
  }

  public Route route() {
    return pathPrefix(
        "agents",
        () ->
            pathPrefix(
                segment(),
                instanceUid ->
                    path(
                        "labels",
                        () ->
                            put(
                                () ->
                                    Operator.named(
                                        actor ->
                                            entity(
                                                Jackson.unmarshaller(json, LabelsBody.class),
                                                body -> replace(instanceUid, body, actor)))))));
  }

  private Route replace(String instanceUid, LabelsBody body, String actor) {
    String problem = body.problem();
    if (problem != null) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, problem));
    }
    String labels;
    try {
      labels = json.writeValueAsString(new TreeMap<>(body.labels()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("labels write as JSON", e);
    }
    return onSuccess(
        agents.replaceLabels(instanceUid, labels, actor),
        replaced -> {
          if (replaced.isEmpty()) {
            return complete(Problem.response(StatusCodes.NOT_FOUND, "no agent " + instanceUid));
          }
          relabelled.accept(instanceUid);
          return Json.respond(
              json, StatusCodes.OK, Map.of("instance_uid", instanceUid, "labels", body.labels()));
        });
  }
}
