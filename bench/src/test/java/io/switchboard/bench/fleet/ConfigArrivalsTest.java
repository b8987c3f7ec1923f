package io.switchboard.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.RemoteConfigStatuses;
import io.switchboard.opamp.proto.ServerToAgent;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each agent's first receipt and first report of each config, by hash. */
class ConfigArrivalsTest {

  private static final ByteString FIRST = ByteString.copyFromUtf8("hash of version 1");
  private static final ByteString SECOND = ByteString.copyFromUtf8("hash of version 2");

  @Test
  void aConfigOfferedAgainOnALaterSessionKeepsItsFirstReceipt() {
    ConfigArrivals arrivals = new ConfigArrivals();

    arrivals.commandReceived("a", config(FIRST), 100);
    arrivals.commandReceived("b", config(FIRST), 150);
    arrivals.commandReceived("a", config(FIRST), 900);
    arrivals.commandReceived("a", config(SECOND), 1_000);
    arrivals.commandReceived("c", ServerToAgent.getDefaultInstance(), 1_100);

    assertEquals(Map.of("a", 100L, "b", 150L), arrivals.received(FIRST));
    assertEquals(Map.of("a", 1_000L), arrivals.received(SECOND));
  }

  @Test
  void reportsAreKeptApartByOutcome() {
    ConfigArrivals arrivals = new ConfigArrivals();

    arrivals.remoteConfigReported(
        "a", FIRST, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, 300);
    arrivals.remoteConfigReported(
        "b", FIRST, RemoteConfigStatuses.RemoteConfigStatuses_FAILED, 350);
    arrivals.remoteConfigReported(
        "a", FIRST, RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, 800);

    assertEquals(Map.of("a", 300L), arrivals.applied(FIRST));
    assertEquals(Map.of("b", 350L), arrivals.failed(FIRST));
    assertEquals(Map.of(), arrivals.applied(SECOND));
  }

  private static ServerToAgent config(ByteString hash) {
    return ServerToAgent.newBuilder()
        .setRemoteConfig(AgentRemoteConfig.newBuilder().setConfigHash(hash))
        .build();
  }
}
