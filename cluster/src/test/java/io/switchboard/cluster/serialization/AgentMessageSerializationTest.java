package io.switchboard.cluster.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.persistence.envelopes.EnvelopeState;
import java.time.Instant;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every message that crosses nodes survives Pekko's serialization round trip intact. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentMessageSerializationTest {

  /**
   * A cluster provider, for Pekko's serialization of actor refs; remoting on a free port, not 7355.
   */
  private final ActorTestKit testKit =
      ActorTestKit.create(
          ConfigFactory.parseString(
                  "pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0")
              .withFallback(ConfigFactory.load()));

  private final Serialization serialization =
      SerializationExtension.get(testKit.system().classicSystem());

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void agentReportsAndOperatorCommandsRoundTrip() throws Exception {
    TestProbe<AgentProtocol.SessionDirective> session = testKit.createTestProbe();
    TestProbe<AgentProtocol.EnvelopeReceipt> operator = testKit.createTestProbe();
    TestProbe<AgentProtocol.PollAnswer> poll = testKit.createTestProbe();
    TestProbe<org.apache.pekko.Done> done = testKit.createTestProbe();
    TestProbe<AgentProtocol.Command> entity = testKit.createTestProbe();
    ByteString uid = InstanceUid.toBytes(UUID.randomUUID().toString());
    AgentToServer report =
        AgentToServer.newBuilder().setInstanceUid(uid).setSequenceNum(7).setCapabilities(3).build();

    for (Object message :
        new Object[] {
          new AgentProtocol.AgentReport(
              report, new AgentProtocol.Session(session.getRef(), 42, "node-a", "token:edge")),
          new AgentProtocol.AgentReport(
              report, new AgentProtocol.Session(session.getRef(), 43, "node-a", null)),
          new AgentProtocol.AgentPoll(report, "node-b", "cert:CN=agent", poll.getRef()),
          new AgentProtocol.PollAnswer(429, ServerToAgent.newBuilder().setInstanceUid(uid).build()),
          new AgentProtocol.CredentialReset(),
          new AgentProtocol.Remove(done.getRef()),
          new AgentProtocol.Refuse(ServerToAgent.newBuilder().setCapabilities(1).build(), true),
          new AgentProtocol.SessionEnded(42, "socket closed"),
          new AgentProtocol.TakeEnvelope(
              UUID.randomUUID(),
              ServerToAgent.newBuilder()
                  .setRemoteConfig(
                      AgentRemoteConfig.newBuilder()
                          .setConfig(
                              AgentConfigMap.newBuilder()
                                  .putConfigMap(
                                      "c.yaml",
                                      AgentConfigFile.newBuilder()
                                          .setBody(ByteString.copyFromUtf8("a: 1"))
                                          .build())))
                  .build(),
              Instant.parse("2026-11-22T10:15:30.123456Z"),
              operator.getRef()),
          new AgentProtocol.Deliver(
              ServerToAgent.newBuilder().setInstanceUid(uid).setCapabilities(1).build()),
          new AgentProtocol.CloseSession("fenced"),
          new AgentProtocol.DeliverEnvelope(
              ServerToAgent.newBuilder().setInstanceUid(uid).setCapabilities(1).build(),
              UUID.randomUUID(),
              42,
              entity.getRef()),
          new AgentProtocol.EnvelopeDelivered(UUID.randomUUID(), 42),
          // An operator's command carries its trace across nodes.
          new AgentProtocol.TakeEnvelope(
              UUID.randomUUID(),
              ServerToAgent.newBuilder().setCapabilities(1).build(),
              Instant.parse("2026-11-22T10:15:30Z"),
              operator.getRef(),
              TRACEPARENT),
          new AgentProtocol.Deliver(
              ServerToAgent.newBuilder().setInstanceUid(uid).build(), TRACEPARENT),
          new AgentProtocol.DeliverEnvelope(
              ServerToAgent.newBuilder().setInstanceUid(uid).build(),
              UUID.randomUUID(),
              43,
              entity.getRef(),
              TRACEPARENT),
          new AgentProtocol.EnvelopeReceipt(EnvelopeState.SENT, "sent"),
          new AgentProtocol.EnvelopeReceipt(EnvelopeState.PENDING, null)
        }) {
      assertEquals(message, roundTrip(message), message.getClass().getSimpleName());
    }
  }

  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  @Test
  void aTraceparentSurvivesTheCrossingAndAnUntracedMessageCarriesNone() throws Exception {
    TestProbe<AgentProtocol.Command> entity = testKit.createTestProbe();
    var traced =
        (AgentProtocol.DeliverEnvelope)
            roundTrip(
                new AgentProtocol.DeliverEnvelope(
                    ServerToAgent.getDefaultInstance(),
                    UUID.randomUUID(),
                    1,
                    entity.getRef(),
                    TRACEPARENT));
    var untraced =
        (AgentProtocol.Deliver)
            roundTrip(new AgentProtocol.Deliver(ServerToAgent.getDefaultInstance()));

    assertEquals(TRACEPARENT, traced.traceparent());
    assertNull(untraced.traceparent());
  }

  private Object roundTrip(Object message) throws Exception {
    var serializer = serialization.findSerializerFor(message);
    assertEquals(
        "JacksonCborSerializer", serializer.getClass().getSimpleName(), "not Java serialization");
    byte[] bytes = serialization.serialize(message).get();
    return serialization
        .deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, message))
        .get();
  }
}
