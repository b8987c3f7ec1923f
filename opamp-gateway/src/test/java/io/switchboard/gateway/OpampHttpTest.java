package io.switchboard.gateway;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.testkit.RawHttpAgent;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * OpAMP over plain HTTP to the gateway, request by request: what reaches the agent's entity, and
 * the route's own checks (content type, size before and after decompression, instance_uid, gzip).
 * The entity's answers across polls are tested end to end in integration-tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpampHttpTest {

  private static final int MAX_MESSAGE_BYTES = 64 * 1024;

  private TestGateway gateway;
  private RawHttpAgent http;

  @BeforeAll
  void startGateway() {
    gateway = TestGateway.start(Map.of("switchboard.opamp.max-message-size", MAX_MESSAGE_BYTES));
    http = new RawHttpAgent(gateway.port());
  }

  @AfterAll
  void stopGateway() {
    gateway.close();
  }

  @Test
  void aPollGoesToItsAgentsEntityAndTheEntitysReplyIsTheResponse() {
    ByteString uid = newUid();
    AgentToServer message = fullState(uid, 1, "http-test");

    RawHttpAgent.Answer answer = http.poll(message);

    assertEquals(200, answer.status());
    assertEquals(TestGateway.answerTo(message), answer.message());
    assertEquals(
        "application/x-protobuf",
        answer.response().headers().firstValue("Content-Type").orElse(""));
    List<AgentProtocol.Command> seen =
        gateway
            .entities()
            .fishForMessage(
                Duration.ofSeconds(10),
                command ->
                    command instanceof AgentProtocol.AgentPoll poll
                            && poll.message().getInstanceUid().equals(uid)
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore());
    AgentProtocol.AgentPoll poll = (AgentProtocol.AgentPoll) seen.get(seen.size() - 1);
    assertEquals(message, poll.message());
    assertEquals(TestGateway.NODE, poll.node(), "the entity learns which node took the poll");
  }

  @Test
  void aPollTheEntityDoesNotAnswerInTimeIsAnswered503WithRetryAfter() {
    try (TestGateway silent =
        TestGateway.silent(
            Map.of(
                "switchboard.opamp.poll-timeout", "500ms",
                "switchboard.opamp.admission.retry-after", "2s",
                "switchboard.opamp.admission.retry-jitter", "0s"))) {
      ByteString uid = newUid();

      RawHttpAgent.Answer answer = new RawHttpAgent(silent.port()).poll(heartbeat(uid, 1));

      assertEquals(503, answer.status());
      assertEquals("2", answer.response().headers().firstValue("Retry-After").orElse(""));
      assertEquals(
          ServerErrorResponseType.ServerErrorResponseType_Unavailable,
          answer.message().getErrorResponse().getType());
      assertEquals(
          2_000_000_000L,
          answer.message().getErrorResponse().getRetryInfo().getRetryAfterNanoseconds());
      assertEquals(
          uid,
          silent
              .entities()
              .expectMessageClass(AgentProtocol.AgentPoll.class)
              .message()
              .getInstanceUid());
    }
  }

  @Test
  void gzipBodiesAreAcceptedAndResponsesGzippedForClientsThatAskForIt() {
    ByteString uid = newUid();

    RawHttpAgent.Answer answer =
        http.post(
            http.request()
                .header("Content-Encoding", "gzip")
                .header("Accept-Encoding", "gzip")
                .POST(
                    HttpRequest.BodyPublishers.ofByteArray(
                        RawHttpAgent.gzip(fullState(uid, 1, "http-test").toByteArray()))));

    assertEquals(200, answer.status());
    assertTrue(answer.gzipped(), "the response is gzipped");
    assertEquals(uid, answer.message().getInstanceUid());

    RawHttpAgent.Answer plain = http.poll(heartbeat(uid, 2));
    assertFalse(plain.gzipped(), "not gzipped for a client that did not ask");
  }

  @Test
  void theInstanceUidHeaderMustMatchTheBody() {
    ByteString uid = newUid();

    assertEquals(
        200,
        http.post(
                http.request()
                    .header("OpAMP-Instance-UID", InstanceUid.toText(uid))
                    .POST(
                        HttpRequest.BodyPublishers.ofByteArray(
                            fullState(uid, 1, "http-test").toByteArray())))
            .status());
    RawHttpAgent.Answer mismatch =
        http.post(
            http.request()
                .header("OpAMP-Instance-UID", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(heartbeat(uid, 2).toByteArray())));
    assertEquals(400, mismatch.status());
    assertTrue(
        mismatch
            .message()
            .getErrorResponse()
            .getErrorMessage()
            .startsWith("instance-uid-mismatch"));
  }

  @Test
  void malformedBodiesGetBadRequestWithAnErrorResponse() {
    RawHttpAgent.Answer answer =
        http.post(
            http.request()
                .POST(
                    HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0xFF, 0x01, 0x02})));

    assertEquals(400, answer.status());
    assertEquals(
        ServerErrorResponseType.ServerErrorResponseType_BadRequest,
        answer.message().getErrorResponse().getType());
    assertTrue(
        answer.message().getErrorResponse().getErrorMessage().startsWith("invalid-protobuf"));
  }

  @Test
  void anotherContentTypeIsRefused() {
    RawHttpAgent.Answer answer =
        http.post(
            http.request()
                .setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

    assertEquals(415, answer.status());
  }

  @Test
  void oversizedBodiesGet413BeforeAndAfterDecompression() {
    double before = TestGateway.rejected("http", "oversized");

    assertEquals(
        413,
        http.post(
                http.request()
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[MAX_MESSAGE_BYTES + 1])))
            .status());
    byte[] bomb = RawHttpAgent.gzip(new byte[MAX_MESSAGE_BYTES * 16]);
    assertTrue(bomb.length < MAX_MESSAGE_BYTES, "small on the wire");
    assertEquals(
        413,
        http.post(
                http.request()
                    .header("Content-Encoding", "gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bomb)))
            .status());

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> TestGateway.rejected("http", "oversized") >= before + 2);
  }
}
