package io.switchboard.node;

import static io.switchboard.testkit.AgentMessages.fullState;
import static io.switchboard.testkit.AgentMessages.heartbeat;
import static io.switchboard.testkit.AgentMessages.newUid;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.InstanceUid;
import io.switchboard.testkit.HttpProbe;
import io.switchboard.testkit.RawAgent;
import io.switchboard.testkit.Scrape;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The metrics catalog during a small end-to-end scenario (an agent connects, sends a bad frame,
 * gets a command, leaves): the series SREs alert on exist and say what happened, Kamon's Pekko
 * instrumentation measures actors by group only, and the JVM series are there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsScrapeTest {

  private SwitchboardNode node;

  @BeforeAll
  void startNode() {
    node = SwitchboardNode.start(TestNodes.config(Map.of()));
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  @Test
  void seriesWithKnownLabelsAreScrapedFromTheStart() {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              String text = HttpProbe.get(node.metricsPort(), "/metrics").body();
              for (String series :
                  List.of(
                      "switchboard_identity_conflicts_total",
                      "switchboard_agent_auth_failures_total",
                      "switchboard_frames_rejected_total{transport=\"http\",reason=\"poll-rate\"}",
                      "switchboard_frames_rejected_total{transport=\"websocket\",reason=\"rate-limited\"}",
                      "switchboard_connections_shed_total{transport=\"websocket\",reason=\"max-sessions\"}",
                      "switchboard_status_rows_rejected_total{reason=\"unstorable-text\"}",
                      "switchboard_status_writes_skipped_total",
                      "switchboard_dispatch_envelopes_total{state=\"expired\"}",
                      "switchboard_rollout_transitions_total{state=\"paused\"}")) {
                assertTrue(
                    text.lines().anyMatch(line -> line.startsWith(series + " ")),
                    series + " is scraped");
              }
            });
  }

  @Test
  void theCatalogReportsTheScenario() throws Exception {
    // Kamon's registry and its Prometheus totals are per JVM and outlive nodes started earlier in
    // it, so Kamon's series are judged by how much they moved during the scenario.
    Scrape before = Scrape.of(node.metricsPort());
    ByteString uid = newUid();
    String path = "/api/agents/" + InstanceUid.toText(uid);
    try (RawAgent agent = RawAgent.connect(node.opampPort())) {
      agent.send(fullState(uid, 1, "metrics").toBuilder().setCapabilities(0x1 | 0x400).build());
      agent.receive();
      // Changes nothing but last-seen and the sequence number: not written (last-seen interval).
      agent.send(heartbeat(uid, 2).toBuilder().setCapabilities(0x1 | 0x400).build());
      agent.receive();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> metric("switchboard_active_sessions{transport=\"websocket\"}") == 1);
      agent.sendBytes(new byte[] {0, 1, 2, 3});
      agent.receive();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> HttpProbe.get(node.apiPort(), path).statusCode() == 200);
      assertEquals(202, HttpProbe.send(node.apiPort(), "POST", path + "/restart", "").statusCode());
      agent.receive();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                Scrape scrape = Scrape.of(node.metricsPort());
                assertTrue(
                    moved(before, scrape, "pekko_group_members_sum", "group", "opamp-sessions")
                        >= 1,
                    "the connected agent's session is a member of its group");
                assertTrue(
                    moved(before, scrape, "pekko_group_members_sum", "group", ENTITIES) >= 1,
                    "the agent's entity is a member of its group");
              });
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertEquals(
                  0,
                  metric("switchboard_active_sessions{transport=\"websocket\"}"),
                  "sessions back to 0");
              assertTrue(metric("switchboard_connects_total{transport=\"websocket\"}") >= 1);
              assertTrue(metric("switchboard_disconnects_total{transport=\"websocket\"}") >= 1);
              assertTrue(metric("switchboard_frames_received_total{transport=\"websocket\"}") >= 1);
              assertTrue(
                  metric(
                          "switchboard_frames_rejected_total{transport=\"websocket\",reason=\"invalid-protobuf\"}")
                      >= 1);
              assertTrue(metric("switchboard_dispatch_deliveries_total{route=\"local\"}") >= 1);
              assertTrue(metric("switchboard_dispatch_envelopes_total{state=\"pending\"}") >= 1);
              assertTrue(metric("switchboard_dispatch_envelopes_total{state=\"sent\"}") >= 1);
              assertTrue(
                  metric("switchboard_status_writer_batch_size_count") >= 1,
                  "status writes were flushed");
              assertTrue(metric("switchboard_status_writer_pending_agents") >= 0);
              assertTrue(metric("switchboard_agent_messages_total{kind=\"status\"}") >= 1);
              assertTrue(
                  metric("switchboard_status_writes_skipped_total") >= 1,
                  "the heartbeat was not written");
              assertTrue(
                  metric("switchboard_database_query_duration_seconds_count") >= 1,
                  "dispatch statements were timed");
              assertTrue(
                  metric("switchboard_database_pool_connections{state=\"idle\",pool=\"write\"}")
                      >= 0);
              assertTrue(
                  metric("switchboard_sharding_running{what=\"shards\"}") >= 1,
                  "the agent's shard runs here");
              assertTrue(
                  HttpProbe.get(node.metricsPort(), "/metrics")
                      .body()
                      .contains("switchboard_lease_acquisitions_total{lease="),
                  "the shard of the agent ran under a lease");
              assertTrue(
                  HttpProbe.get(node.metricsPort(), "/metrics").body().contains("jvm_memory"),
                  "JVM metrics too");
            });
    assertPekkoGroupsAndNoPerActorSeries(before, uid);
    assertJvmSeries(before);
  }

  /** Kamon's sharding instrumentation groups each entity type's entities under this name. */
  private static final String ENTITIES = "shardRegion/Agent";

  /**
   * Sessions, entities and shards are measured as groups, with the messages the scenario made them
   * handle; only the status writer is measured as one actor, so 20,000 agents never make 20,000
   * series.
   */
  private void assertPekkoGroupsAndNoPerActorSeries(Scrape before, ByteString uid) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Scrape scrape = Scrape.of(node.metricsPort());
              // Stream start, the full state and the bad frame at least.
              assertTrue(
                  moved(
                          before,
                          scrape,
                          "pekko_group_processing_time_seconds_count",
                          "group",
                          "opamp-sessions")
                      >= 3);
              assertTrue(
                  moved(
                          before,
                          scrape,
                          "pekko_group_processing_time_seconds_sum",
                          "group",
                          "opamp-sessions")
                      > 0);
              assertTrue(
                  moved(
                          before,
                          scrape,
                          "pekko_group_time_in_mailbox_seconds_count",
                          "group",
                          "opamp-sessions")
                      >= 3);
              assertTrue(
                  moved(
                          before,
                          scrape,
                          "pekko_group_pending_messages_count",
                          "group",
                          "opamp-sessions")
                      >= 1,
                  "mailboxes sampled");
              assertTrue(
                  moved(
                          before,
                          scrape,
                          "pekko_group_processing_time_seconds_count",
                          "group",
                          ENTITIES)
                      >= 2,
                  "status, restart");
              assertTrue(
                  moved(before, scrape, "pekko_group_pending_messages_count", "group", ENTITIES)
                      >= 1);
              assertTrue(
                  moved(
                          before,
                          scrape,
                          "pekko_group_processing_time_seconds_count",
                          "group",
                          "agent-shards")
                      >= 1);
              assertTrue(
                  moved(before, scrape, "pekko_group_members_sum", "group", "streams") >= 1,
                  "the WebSocket's stream actor");
              String statusWriter = "switchboard/system/status-writer";
              assertTrue(
                  moved(
                          before,
                          scrape,
                          "pekko_actor_processing_time_seconds_count",
                          "path",
                          statusWriter)
                      >= 1);
              assertTrue(
                  moved(before, scrape, "pekko_actor_mailbox_size_count", "path", statusWriter)
                      >= 1);
              assertTrue(
                  moved(before, scrape, "pekko_system_active_actors_sum", "system", "switchboard")
                      > 0);
              assertTrue(
                  moved(
                          before,
                          scrape,
                          "pekko_cluster_sharding_region_hosted_entities_sum",
                          "type",
                          "Agent")
                      >= 1);
              // Only present, not moving: Kamon samples the dispatchers of the first actor system
              // of a
              // JVM only, and keeps doing so after it stopped (docs/metrics.md).
              assertTrue(
                  value(scrape, "executor_parallelism", "name", "pekko.actor.default-dispatcher")
                      >= 1);

              List<String> actorPaths =
                  scrape.startingWith("pekko_actor_").stream()
                      .map(sample -> sample.labels().get("path"))
                      .distinct()
                      .toList();
              assertEquals(
                  List.of(statusWriter),
                  actorPaths,
                  "no actor but the status writer has series of its own");
              String uidText = InstanceUid.toText(uid);
              List<Scrape.Sample> perAgent =
                  scrape.startingWith("").stream()
                      .filter(
                          sample ->
                              sample.labels().values().stream()
                                  .anyMatch(
                                      label ->
                                          label.contains("opamp-session-")
                                              || label.contains(uidText)))
                      .toList();
              assertEquals(List.of(), perAgent, "no series names a session or an agent");
              assertEquals(
                  List.of(),
                  scrape.startingWith("http_server_").stream()
                      .map(Scrape.Sample::name)
                      .distinct()
                      .toList(),
                  "Kanela's HTTP module stays off (observability.conf), and with it per-request tracing");
            });
  }

  /** Heap in use between nothing and the maximum, and collections counted. */
  private void assertJvmSeries(Scrape before) {
    // A collection the test can count on, however little the scenario allocated.
    System.gc();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Scrape scrape = Scrape.of(node.metricsPort());
              double heapUsed =
                  value(scrape, "jvm_memory_used_bytes_sum", "region", "heap")
                      / value(scrape, "jvm_memory_used_bytes_count", "region", "heap");
              double heapMax = value(scrape, "jvm_memory_max_bytes", "region", "heap");
              assertTrue(heapUsed > 1 << 20, "heap in use: " + heapUsed);
              assertTrue(
                  heapUsed <= heapMax,
                  "heap in use " + heapUsed + " within its maximum " + heapMax);
              assertTrue(
                  scrape.sum("jvm_gc_seconds_count", Map.of()).orElse(0)
                          - before.sum("jvm_gc_seconds_count", Map.of()).orElse(0)
                      >= 1,
                  "collections counted");
              assertTrue(scrape.sum("jvm_gc_seconds_sum", Map.of()).orElse(-1) >= 0);
            });
  }

  /** The sum of a metric's samples carrying the label, or -1 when there is none. */
  private static double value(Scrape scrape, String metric, String label, String labelValue) {
    return scrape.sum(metric, Map.of(label, labelValue)).orElse(-1);
  }

  /**
   * How much the metric's samples carrying the label grew since {@code before}; -1 when absent now.
   */
  private static double moved(
      Scrape before, Scrape now, String metric, String label, String labelValue) {
    Map<String, String> labels = Map.of(label, labelValue);
    return now.sum(metric, labels).isEmpty()
        ? -1
        : now.sum(metric, labels).getAsDouble() - before.sum(metric, labels).orElse(0);
  }

  private double metric(String series) {
    OptionalDouble value = HttpProbe.metric(node.metricsPort(), series);
    return value.orElse(-1);
  }
}
