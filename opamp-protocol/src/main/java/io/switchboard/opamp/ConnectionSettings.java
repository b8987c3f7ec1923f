package io.switchboard.opamp;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.OpAMPConnectionSettings;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

/**
 * Connection settings offers: the OpAMP heartbeat interval, as the fleet's default or one agent's.
 */
public final class ConnectionSettings {

  private ConnectionSettings() {}

  /**
   * An offer of this heartbeat interval. Its hash is the SHA-256 of the offered settings, so an
   * agent sees the same hash for the same offer on every node.
   */
  public static ConnectionSettingsOffers offer(Duration heartbeatInterval) {
    OpAMPConnectionSettings opamp =
        OpAMPConnectionSettings.newBuilder()
            .setHeartbeatIntervalSeconds(heartbeatInterval.toSeconds())
            .build();
    try {
      return ConnectionSettingsOffers.newBuilder()
          .setHash(
              ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(opamp.toByteArray())))
          .setOpamp(opamp)
          .build();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
