package io.switchboard.api.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchboard.persistence.agents.AgentQuery;
import io.switchboard.persistence.agents.AgentRecord;
import io.switchboard.persistence.agents.Selector;
import io.switchboard.persistence.status.ConnectionState;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentListParametersTest {

  @Test
  void noParametersMeansTheFirstPageOfEveryAgent() {
    assertEquals(AgentQuery.firstPage(100), AgentListParameters.parse(Map.of(), 1000));
  }

  @Test
  void everyFilterIsRead() {
    AgentQuery query =
        AgentListParameters.parse(
            Map.of(
                "connection_state", "connected",
                "healthy", "false",
                "attribute", "service.name=check=out",
                "label", "env=prod",
                "remote_config_status", "failed",
                "sort", "newest",
                "limit", "50"),
            1000);

    assertEquals(Optional.of(ConnectionState.CONNECTED), query.connectionState());
    assertEquals(Optional.of(false), query.healthy());
    assertEquals(
        Selector.ofEqualities(Map.of("service.name", "check=out"), Map.of("env", "prod")),
        query.selector());
    assertEquals(Optional.of("FAILED"), query.remoteConfigStatus());
    assertEquals(AgentQuery.Sort.NEWEST, query.sort());
    assertEquals(50, query.limit());
  }

  @Test
  void theCursorOfAPageLeadsToTheNext() {
    AgentRecord last =
        new AgentRecord(
            "0b6b5b8e-0000-4000-8000-000000000001",
            ConnectionState.CONNECTED,
            Instant.EPOCH,
            1,
            null,
            1,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            "{}",
            Instant.parse("2026-11-22T10:00:00.123456Z"),
            Instant.EPOCH,
            null,
            null,
            null,
            null,
            null,
            false,
            null);

    AgentQuery next =
        AgentListParameters.parse(Map.of("after", AgentListParameters.cursorAfter(last)), 1000);

    assertEquals(
        Optional.of(new AgentQuery.Cursor(last.firstSeen(), last.instanceUid())), next.after());
  }

  @Test
  void badValuesAreRefusedWithTheReason() {
    assertMessage(Map.of("healthy", "yes"), "healthy must be true or false");
    assertMessage(
        Map.of("connection_state", "sleeping"),
        "connection_state must be CONNECTED or DISCONNECTED");
    assertMessage(Map.of("attribute", "service.name"), "attribute must look like key=value");
    assertMessage(Map.of("sort", "random"), "sort must be instance_uid or newest");
    assertMessage(Map.of("limit", "0"), "limit must be between 1 and 1000");
    assertMessage(Map.of("after", "not-a-cursor"), "after must be a 'next' value");
    assertMessage(Map.of("colour", "blue"), "unknown parameter 'colour'");
  }

  private static void assertMessage(Map<String, String> parameters, String start) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> AgentListParameters.parse(parameters, 1000));
    assertEquals(true, e.getMessage().startsWith(start), e.getMessage());
  }
}
