package io.switchboard.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.gateway.auth.AgentCredential;
import io.switchboard.gateway.limits.SessionRules;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.wire.OpampFrames;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentSessionTest {

  private ActorTestKit testKit;

  @BeforeAll
  void start() {
    testKit = ActorTestKit.create();
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  /**
   * The connection's outbound side is materialized after the session started, and the inbound
   * stream may start first: the session must hold it (no ack, so no frame) until its socket is
   * there, then serve the connection as usual and close the socket when the agent goes.
   */
  @Test
  void whatComesBeforeTheSocketWaitsForIt() throws Exception {
    TestProbe<AgentProtocol.Command> entities =
        testKit.createTestProbe(AgentProtocol.Command.class);
    TestProbe<AgentSession.Ack> acks = testKit.createTestProbe(AgentSession.Ack.class);
    TestProbe<Outbound> socket = testKit.createTestProbe(Outbound.class);
    ActorRef<AgentSession.Command> session =
        testKit.spawn(
            AgentSession.create(
                7,
                "node-1",
                uid -> TestEntityRef.of(AgentEntity.TYPE_KEY, uid, entities.ref()),
                new LiveSessions(),
                SessionRules.fromConfig(ConfigFactory.load().getConfig("switchboard.opamp")),
                AgentCredential.NONE));

    session.tell(new AgentSession.StreamStarted(acks.ref()));
    acks.expectNoMessage(Duration.ofMillis(300));

    session.tell(new AgentSession.SocketReady(socket.ref()));
    acks.expectMessage(AgentSession.Ack.INSTANCE);

    session.tell(
        new AgentSession.FrameReceived(
            new InboundFrame.Binary(ByteString.fromString("not protobuf")), acks.ref()));
    Outbound.Frame refusal = socket.expectMessageClass(Outbound.Frame.class);
    ServerToAgent answer = OpampFrames.decodeServerToAgent(refusal.bytes().asByteBuffer());
    assertEquals(
        ServerErrorResponseType.ServerErrorResponseType_BadRequest,
        answer.getErrorResponse().getType());
    acks.expectMessage(AgentSession.Ack.INSTANCE);

    session.tell(AgentSession.StreamCompleted.INSTANCE);
    assertEquals(Outbound.Close.NORMAL, socket.expectMessageClass(Outbound.Close.class));
    entities.expectNoMessage(Duration.ofMillis(100));
  }
}
