package io.switchboard.cluster.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AvailableComponents;
import io.switchboard.opamp.proto.ComponentDetails;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How an agent's entity asks for, and keeps, the components the agent reports. */
class AgentStateComponentsTest {

  private final AgentState state = new AgentState();
  private long seq;

  @Test
  void aNewHashIsAskedForOnceAndTheListThatFollowsIsKept() {
    assertTrue(merge(hashOnly("a")).needsComponents(), "a hash the entity does not know");
    assertNull(state.takeChanges().availableComponents(), "nothing to store yet");
    assertFalse(merge(listed("a", "kafka")).needsComponents());
    String stored = state.takeChanges().availableComponents();
    assertTrue(stored.contains("\"kafka\""), stored);
    assertTrue(stored.contains("\"hash\":\"61\""), stored);

    assertFalse(merge(hashOnly("a")).needsComponents(), "the stored hash again");
    assertFalse(merge(listed("a", "kafka")).needsComponents());
    assertNull(state.takeChanges().availableComponents(), "the same list is not written again");

    assertTrue(merge(hashOnly("b")).needsComponents(), "the agent's components changed");
  }

  @Test
  void anAgentAnsweringWithTheHashAloneAgainHasAnEmptyList() {
    assertTrue(merge(hashOnly("e")).needsComponents());
    assertFalse(merge(hashOnly("e")).needsComponents(), "asked once per hash");
    assertEquals("{\"hash\":\"65\"}", state.takeChanges().availableComponents());
    assertFalse(merge(hashOnly("e")).needsComponents());
  }

  private AgentState.Merged merge(AvailableComponents components) {
    return state.apply(
        AgentToServer.newBuilder()
            .setSequenceNum(seq++)
            .setAgentDescription(AgentDescription.getDefaultInstance())
            .setAvailableComponents(components)
            .build(),
        Instant.now());
  }

  private static AvailableComponents hashOnly(String hash) {
    return AvailableComponents.newBuilder().setHash(ByteString.copyFromUtf8(hash)).build();
  }

  private static AvailableComponents listed(String hash, String exporter) {
    return AvailableComponents.newBuilder()
        .setHash(ByteString.copyFromUtf8(hash))
        .putComponents(
            "exporters",
            ComponentDetails.newBuilder()
                .putSubComponentMap(exporter, ComponentDetails.getDefaultInstance())
                .build())
        .build();
  }
}
