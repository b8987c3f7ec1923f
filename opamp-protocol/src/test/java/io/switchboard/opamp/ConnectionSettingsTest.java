package io.switchboard.opamp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.Header;
import io.switchboard.opamp.proto.Headers;
import io.switchboard.opamp.proto.OpAMPConnectionSettings;
import io.switchboard.opamp.proto.OtherConnectionSettings;
import io.switchboard.opamp.proto.TelemetryConnectionSettings;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionSettingsTest {

  private static final long OPAMP =
      AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings_VALUE;
  private static final long METRICS = AgentCapabilities.AgentCapabilities_ReportsOwnMetrics_VALUE;
  private static final long OTHER =
      AgentCapabilities.AgentCapabilities_AcceptsOtherConnectionSettings_VALUE;

  private static final ConnectionSecrets SECRETS = secrets();

  private static ConnectionSecrets secrets() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return ConnectionSecrets.of(key);
  }

  private static ConnectionSettingsOffers fleet() {
    return ConnectionSettings.offer(Duration.ofSeconds(30)).toBuilder()
        .setOwnMetrics(
            TelemetryConnectionSettings.newBuilder()
                .setDestinationEndpoint("https://fleet:4318/v1/metrics"))
        .putOtherConnections(
            "a", OtherConnectionSettings.newBuilder().setDestinationEndpoint("a:1").build())
        .build();
  }

  @Test
  void eachPartGoesOnlyToAgentsWhoseCapabilitiesTakeIt() {
    ConnectionSettingsOffers opampOnly = ConnectionSettings.forAgent(fleet(), OPAMP, SECRETS);
    assertTrue(opampOnly.hasOpamp());
    assertFalse(opampOnly.hasOwnMetrics());
    assertEquals(0, opampOnly.getOtherConnectionsCount());

    ConnectionSettingsOffers all =
        ConnectionSettings.forAgent(fleet(), OPAMP | METRICS | OTHER, SECRETS);
    assertTrue(all.hasOwnMetrics());
    assertEquals(1, all.getOtherConnectionsCount());
    assertNotEquals(opampOnly.getHash(), all.getHash());

    assertNull(ConnectionSettings.forAgent(fleet(), 0x1, SECRETS), "nothing to offer");
  }

  @Test
  void anAgentsOwnSettingsOverlayTheFleetsAndChangeTheHash() {
    ConnectionSettingsOffers own =
        ConnectionSettingsOffers.newBuilder()
            .setOpamp(OpAMPConnectionSettings.newBuilder().setDestinationEndpoint("wss://other"))
            .setOwnMetrics(
                TelemetryConnectionSettings.newBuilder()
                    .setDestinationEndpoint("https://mine:4318/v1/metrics"))
            .putOtherConnections(
                "b", OtherConnectionSettings.newBuilder().setDestinationEndpoint("b:1").build())
            .build();
    ConnectionSettingsOffers merged = ConnectionSettings.overlay(fleet(), own);
    assertEquals(30, merged.getOpamp().getHeartbeatIntervalSeconds(), "kept from the fleet");
    assertEquals("wss://other", merged.getOpamp().getDestinationEndpoint());
    assertEquals("https://mine:4318/v1/metrics", merged.getOwnMetrics().getDestinationEndpoint());
    assertEquals(2, merged.getOtherConnectionsCount());
    assertNotEquals(
        ConnectionSettings.forAgent(fleet(), OPAMP | METRICS, SECRETS).getHash(),
        ConnectionSettings.forAgent(merged, OPAMP | METRICS, SECRETS).getHash());
  }

  @Test
  void theHashIsTheSameForTheSameSettingsWhateverTheMapOrder() {
    ConnectionSettingsOffers ab =
        fleet().toBuilder()
            .putOtherConnections(
                "b", OtherConnectionSettings.newBuilder().setDestinationEndpoint("b:1").build())
            .build();
    ConnectionSettingsOffers ba =
        ConnectionSettings.offer(Duration.ofSeconds(30)).toBuilder()
            .putOtherConnections(
                "b", OtherConnectionSettings.newBuilder().setDestinationEndpoint("b:1").build())
            .putOtherConnections(
                "a", OtherConnectionSettings.newBuilder().setDestinationEndpoint("a:1").build())
            .setOwnMetrics(fleet().getOwnMetrics())
            .build();
    assertEquals(
        ConnectionSettings.forAgent(ab, OPAMP | METRICS | OTHER, SECRETS).getHash(),
        ConnectionSettings.forAgent(ba, OPAMP | METRICS | OTHER, SECRETS).getHash());
  }

  @Test
  void sealedSecretsAreOpenedOnlyForTheAgentAndOnlyWithTheirKey() {
    String sealed = SECRETS.seal("Bearer s3cret");
    assertTrue(ConnectionSecrets.isSealed(sealed));
    assertFalse(sealed.contains("s3cret"));
    assertEquals(ConnectionSecrets.SHOWN, ConnectionSecrets.shown(sealed));
    assertNotEquals(sealed, SECRETS.seal("Bearer s3cret"), "a fresh nonce each time");

    ConnectionSettingsOffers withSecret =
        fleet().toBuilder()
            .setOwnMetrics(
                fleet().getOwnMetrics().toBuilder()
                    .setHeaders(
                        Headers.newBuilder()
                            .addHeaders(
                                Header.newBuilder().setKey("Authorization").setValue(sealed))))
            .build();
    ConnectionSettingsOffers offered = ConnectionSettings.forAgent(withSecret, METRICS, SECRETS);
    assertEquals("Bearer s3cret", offered.getOwnMetrics().getHeaders().getHeaders(0).getValue());
    assertThrows(
        IllegalArgumentException.class,
        () -> ConnectionSettings.forAgent(withSecret, METRICS, secrets()),
        "another key cannot open it");
    assertThrows(
        IllegalArgumentException.class,
        () -> ConnectionSettings.forAgent(withSecret, METRICS, ConnectionSecrets.none()));
    assertThrows(IllegalStateException.class, () -> ConnectionSecrets.none().seal("x"));
  }
}
