package io.switchboard.api.agents;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.persistence.agents.AgentRecord;

/**
 * Whether an agent's packages drifted from what operators last offered it (through a rollout or its
 * assignment): null when nothing was offered; false when the agent reports the offer's {@code
 * all_packages_hash} as the one it was given and every offered package INSTALLED at the offered
 * version; true otherwise (not reported yet, installing, failed, or another version).
 */
final class PackageDrift {

  private PackageDrift() {}

  static Boolean of(AgentRecord agent, ObjectMapper json) {
    if (agent.packagesOfferJson() == null) {
      return null;
    }
    JsonNode offer = read(agent.packagesOfferJson(), json);
    if (agent.packageStatusesJson() == null) {
      return true;
    }
    JsonNode reported = read(agent.packageStatusesJson(), json);
    if (!offer
        .path("all_packages_hash")
        .asText()
        .equalsIgnoreCase(reported.path("server_provided_all_packages_hash").asText())) {
      return true;
    }
    for (JsonNode offered : offer.path("packages")) {
      JsonNode status = reported.path("packages").path(offered.path("name").asText());
      if (!"INSTALLED".equals(status.path("status").asText())
          || !offered.path("version").asText().equals(status.path("agent_has_version").asText())) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode read(String text, ObjectMapper json) {
    try {
      return json.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored package JSON is JSON", e);
    }
  }
}
