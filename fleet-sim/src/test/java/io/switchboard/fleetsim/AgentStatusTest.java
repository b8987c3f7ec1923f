package io.switchboard.fleetsim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AgentStatusTest {

  private static final AgentRemoteConfig CONFIG =
      AgentRemoteConfig.newBuilder()
          .setConfig(
              AgentConfigMap.newBuilder()
                  .putConfigMap(
                      "c.yaml",
                      AgentConfigFile.newBuilder()
                          .setBody(ByteString.copyFromUtf8("x: 1"))
                          .build()))
          .setConfigHash(ByteString.copyFromUtf8("hash-1"))
          .build();

  private final AgentStatus status = new AgentStatus(7, Instant.now());

  @Test
  void theFirstMessageIsTheFullStateThenHeartbeatsCarryOnlyTheSequence() {
    AgentToServer first = status.nextMessage();
    assertEquals(1, first.getSequenceNum());
    assertEquals(0x3D07, first.getCapabilities());
    assertEquals(16, first.getInstanceUid().size());
    assertEquals(7, (first.getInstanceUid().byteAt(6) & 0xF0) >> 4, "a UUID version 7");
    assertTrue(
        first.getAgentDescription().getNonIdentifyingAttributesList().stream()
            .anyMatch(
                kv ->
                    kv.getKey().equals("host.name")
                        && kv.getValue().getStringValue().equals("sim-host-7")));
    assertTrue(first.getHealth().getHealthy());
    assertTrue(first.hasEffectiveConfig());

    assertFalse(status.hasChanges());
    AgentToServer heartbeat = status.nextMessage();
    assertEquals(2, heartbeat.getSequenceNum());
    assertEquals(first.getInstanceUid(), heartbeat.getInstanceUid());
    assertFalse(
        heartbeat.hasAgentDescription() || heartbeat.hasHealth() || heartbeat.hasEffectiveConfig());

    status.reportFullStateNext();
    AgentToServer full = status.nextMessage();
    assertEquals(3, full.getSequenceNum());
    assertTrue(full.hasAgentDescription());
  }

  @Test
  void healthChurnReportsOnlyTheHealth() {
    status.nextMessage();
    status.toggleHealth(Instant.now());
    AgentToServer changed = status.nextMessage();
    assertFalse(changed.getHealth().getHealthy());
    assertFalse(changed.hasAgentDescription());
    status.toggleHealth(Instant.now());
    assertTrue(status.nextMessage().getHealth().getHealthy());
  }

  @Test
  void aRemoteConfigIsReportedApplyingThenAppliedAndBecomesTheEffectiveConfig() {
    status.nextMessage();
    assertTrue(status.startApplying(CONFIG));
    AgentToServer applying = status.nextMessage();
    assertEquals(
        RemoteConfigStatuses.RemoteConfigStatuses_APPLYING,
        applying.getRemoteConfigStatus().getStatus());
    assertEquals(
        CONFIG.getConfigHash(), applying.getRemoteConfigStatus().getLastRemoteConfigHash());

    assertTrue(status.finishApplying(CONFIG.getConfigHash(), true));
    AgentToServer applied = status.nextMessage();
    assertEquals(
        RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
        applied.getRemoteConfigStatus().getStatus());
    assertEquals(CONFIG.getConfig(), applied.getEffectiveConfig().getConfigMap());

    assertFalse(status.startApplying(CONFIG), "the same config offered again on a new session");
  }

  @Test
  void aFailedApplyIsReportedAndKeepsTheOldEffectiveConfig() {
    AgentConfigMap local = status.nextMessage().getEffectiveConfig().getConfigMap();
    status.startApplying(CONFIG);
    assertTrue(status.finishApplying(CONFIG.getConfigHash(), false));
    AgentToServer failed = status.nextMessage();
    assertEquals(
        RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
        failed.getRemoteConfigStatus().getStatus());
    assertFalse(failed.getRemoteConfigStatus().getErrorMessage().isEmpty());
    assertEquals(local, failed.getEffectiveConfig().getConfigMap());
    assertFalse(
        status.finishApplying(CONFIG.getConfigHash(), true), "nothing is being applied any more");
  }

  @Test
  void theGoodbyeCarriesAgentDisconnectWithTheNextSequence() {
    status.nextMessage();
    AgentToServer goodbye = status.disconnectMessage();
    assertTrue(goodbye.hasAgentDisconnect());
    assertEquals(2, goodbye.getSequenceNum());
  }
}
