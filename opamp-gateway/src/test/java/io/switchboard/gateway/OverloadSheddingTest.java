package io.switchboard.gateway;

import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.ServerErrorResponse;
import io.switchboard.opamp.proto.ServerErrorResponseType;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.RawHttpAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A full or flooded gateway turns agents away with a retry delay instead of falling over. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OverloadSheddingTest {

  private TestGateway gateway;

  @BeforeAll
  void startGateway() {
    gateway =
        TestGateway.start(
            Map.of(
                "switchboard.opamp.admission.max-sessions",
                2,
                "switchboard.opamp.admission.max-polls-per-second",
                3,
                "switchboard.opamp.admission.retry-after",
                "2s",
                "switchboard.opamp.admission.retry-jitter",
                "2s"));
  }

  @AfterAll
  void stopGateway() {
    gateway.close();
  }

  @Test
  void aFullNodeAnswersUnavailableWithARetryDelayAndClosesUntilASlotFreesUp() throws Exception {
    try (RawAgent first = RawAgent.connect(gateway.port());
        RawAgent second = RawAgent.connect(gateway.port())) {
      first.send(heartbeat(newUid(), 1));
      first.receive();
      second.send(heartbeat(newUid(), 1));
      second.receive();

      try (RawAgent third = RawAgent.connect(gateway.port())) {
        ServerErrorResponse refusal = third.receive().getErrorResponse();
        assertEquals(
            ServerErrorResponseType.ServerErrorResponseType_Unavailable, refusal.getType());
        long retryAfterMillis =
            TimeUnit.NANOSECONDS.toMillis(refusal.getRetryInfo().getRetryAfterNanoseconds());
        assertTrue(
            retryAfterMillis >= 2000 && retryAfterMillis <= 4000,
            "retry after " + retryAfterMillis + " ms");
        third.closeCode().get(10, TimeUnit.SECONDS);
      }

      first.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                try (RawAgent later = RawAgent.connect(gateway.port())) {
                  ByteString uid = newUid();
                  later.send(heartbeat(uid, 1));
                  assertEquals(
                      uid, later.receive().getInstanceUid(), "a freed slot takes a new agent");
                }
              });
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                TestGateway.metric(
                        "switchboard_connections_shed_total",
                        Map.of("transport", "websocket", "reason", "max-sessions"))
                    >= 1);
  }

  @Test
  void aFloodOfPollsIsAnswered503WithRetryAfter() {
    RawHttpAgent http = new RawHttpAgent(gateway.port());
    ByteString uid = newUid();

    List<RawHttpAgent.Answer> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(http.poll(heartbeat(uid, 1).toBuilder().setSequenceNum(i).build()));
    }

    RawHttpAgent.Answer refused =
        answers.stream()
            .filter(answer -> answer.status() == 503)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no poll was shed"));
    long retryAfter =
        Long.parseLong(refused.response().headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 2 && retryAfter <= 4, "Retry-After " + retryAfter);
    assertEquals(
        ServerErrorResponseType.ServerErrorResponseType_Unavailable,
        refused.message().getErrorResponse().getType());
    assertTrue(
        answers.stream().anyMatch(answer -> answer.status() == 200),
        "polls within the rate are served");
  }
}
