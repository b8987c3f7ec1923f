package io.switchboard.api.agents;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One page of agents. {@code next} is the {@code after} value for the following page, null on the
 * last page.
 */
record AgentPage(
    @JsonProperty("agents") List<AgentView> agents, @JsonProperty("next") String next) {}
