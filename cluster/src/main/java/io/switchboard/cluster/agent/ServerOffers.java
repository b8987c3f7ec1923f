package io.switchboard.cluster.agent;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.OpAMPConnectionSettings;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

/** Offers the server makes to agents, built once per entity from configuration. */
final class ServerOffers {

  private ServerOffers() {}

  /**
   * The fleet's OpAMP heartbeat interval as a connection settings offer. Its hash is the SHA-256 of
   * the offered settings, so an agent sees the same hash for the same offer on every node.
   */
  static ConnectionSettingsOffers connectionSettings(Duration heartbeatInterval) {
    OpAMPConnectionSettings opamp =
        OpAMPConnectionSettings.newBuilder().setHeartbeatIntervalSeconds(heartbeatInterval.toSeconds()).build();
    return ConnectionSettingsOffers.newBuilder().setHash(sha256(opamp.toByteString())).setOpamp(opamp).build();
  }

  private static ByteString sha256(ByteString bytes) {
    try {
      return ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
