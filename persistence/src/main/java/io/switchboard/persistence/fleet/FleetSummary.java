package io.switchboard.persistence.fleet;

import java.util.List;

/** The fleet at a glance: counts, and the largest groups by version, OS, service and node. */
public record FleetSummary(
    long total,
    long connected,
    long disconnected,
    long healthy,
    long unhealthy,
    long drifted,
    List<Group> byVersion,
    List<Group> byOs,
    List<Group> byService,
    List<Group> sessionsPerNode) {

  /** One value of an attribute and how many agents have it. */
  public record Group(String value, long count) {}
}
