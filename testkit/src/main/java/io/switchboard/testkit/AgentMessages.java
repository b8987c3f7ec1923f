package io.switchboard.testkit;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.CertificateRequest;
import io.switchboard.opamp.proto.ConnectionSettingsRequest;
import io.switchboard.opamp.proto.KeyValue;
import io.switchboard.opamp.proto.OpAMPConnectionSettingsRequest;
import java.util.UUID;

/** AgentToServer messages as the tests' hand-driven agents send them. */
public final class AgentMessages {

  private AgentMessages() {}

  public static ByteString newUid() {
    return InstanceUid.toBytes(UUID.randomUUID().toString());
  }

  /** Only what every message carries: the id, the sequence number and ReportsStatus. */
  public static AgentToServer heartbeat(ByteString uid, long seq) {
    return AgentToServer.newBuilder()
        .setInstanceUid(uid)
        .setSequenceNum(seq)
        .setCapabilities(0x1)
        .build();
  }

  /** A heartbeat that also describes the agent, as the first message of a session does. */
  public static AgentToServer fullState(ByteString uid, long seq, String serviceName) {
    return heartbeat(uid, seq).toBuilder()
        .setAgentDescription(
            AgentDescription.newBuilder()
                .addIdentifyingAttributes(
                    KeyValue.newBuilder()
                        .setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue(serviceName))))
        .build();
  }

  /** A message asking the server to sign a certificate request (PEM PKCS#10) for the agent. */
  public static AgentToServer certificateRequest(ByteString uid, long seq, byte[] csrPem) {
    return heartbeat(uid, seq).toBuilder()
        .setConnectionSettingsRequest(
            ConnectionSettingsRequest.newBuilder()
                .setOpamp(
                    OpAMPConnectionSettingsRequest.newBuilder()
                        .setCertificateRequest(
                            CertificateRequest.newBuilder().setCsr(ByteString.copyFrom(csrPem)))))
        .build();
  }
}
