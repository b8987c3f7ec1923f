package io.switchboard.api.dashboard;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A member of the Pekko cluster as the cluster view shows it. */
public record ClusterMember(
    @JsonProperty("address") String address,
    @JsonProperty("status") String status,
    @JsonProperty("roles") List<String> roles) {}
