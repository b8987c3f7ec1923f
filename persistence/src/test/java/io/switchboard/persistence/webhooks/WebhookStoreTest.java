package io.switchboard.persistence.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.persistence.Database;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The webhook outbox on a real PostgreSQL: claims bounded per endpoint, agent events once. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookStoreTest {

  private static final Duration LEASE = Duration.ofSeconds(30);

  private TestDatabase db;
  private Database database;
  private WebhookStore store;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
    store = new WebhookStore(database.pool());
  }

  @AfterAll
  void stop() {
    database.close();
    db.close();
  }

  @BeforeEach
  void empty() {
    db.execute("TRUNCATE webhooks, webhook_deliveries, agents");
  }

  @Test
  void aBackloggedEndpointHoldsAtMostItsShareAndStarvesNoOther() throws Exception {
    create("dead", List.of("rollout.paused"));
    create("live", List.of("rollout.paused"));
    db.execute(
        "INSERT INTO webhook_deliveries (webhook, event, payload)"
            + " SELECT 'dead', 'rollout.paused', '{}' FROM generate_series(1, 10)");
    db.execute(
        "INSERT INTO webhook_deliveries (webhook, event, payload) VALUES ('live', 'rollout.paused', '{}')");

    List<WebhookStore.Claimed> first = claim();
    assertEquals(Map.of("dead", 2L, "live", 1L), byWebhook(first));
    assertEquals(List.of(), claim(), "the dead endpoint's two are under way");

    // One attempt fails and is due again at once: its slot is free, the other is still busy.
    WebhookStore.Claimed failed =
        first.stream().filter(c -> c.webhook().equals("dead")).findFirst().orElseThrow();
    store
        .recordAttempt(failed.id(), 500, "the endpoint answered 500", false, Instant.EPOCH)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertEquals(Map.of("dead", 1L), byWebhook(claim()));

    WebhookStore.Claimed delivered =
        first.stream().filter(c -> c.webhook().equals("live")).findFirst().orElseThrow();
    store
        .recordAttempt(delivered.id(), 204, null, true, null)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    WebhookDelivery shown =
        store.deliveries("live", 10).toCompletableFuture().get(10, TimeUnit.SECONDS).get(0);
    assertEquals(1, shown.attempts());
    assertEquals(204, shown.lastStatus());
    assertNull(shown.nextAttemptAt());
    assertTrue(shown.deliveredAt() != null);
  }

  @Test
  void aDisabledWebhooksDeliveriesWait() throws Exception {
    create("paused", List.of("rollout.paused"));
    db.execute(
        "INSERT INTO webhook_deliveries (webhook, event, payload) VALUES ('paused', 'rollout.paused', '{}')");
    store
        .update("paused", null, null, null, false, null, "test")
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertEquals(List.of(), claim());
    store
        .update("paused", null, null, null, true, null, "test")
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertEquals(1, claim().size());
  }

  @Test
  void anAgentDisconnectedLongerThanTheThresholdIsToldOncePerDisconnection() throws Exception {
    create("pager", List.of("agent.disconnected"));
    create("health", List.of("agent.unhealthy"));
    db.execute("UPDATE webhooks SET created_at = now() - interval '1 hour'");
    agent("gone-long", "DISCONNECTED", "10 minutes", true);
    agent("gone-briefly", "DISCONNECTED", "1 minute", true);
    agent("gone-before-the-webhook", "DISCONNECTED", "2 hours", true);
    agent("sick", "CONNECTED", "0 seconds", false);
    agent("well", "CONNECTED", "0 seconds", true);

    assertEquals(2L, enqueue());
    assertEquals(0L, enqueue(), "each episode once");
    assertEquals(
        "agent.disconnected/gone-long,agent.unhealthy/sick",
        db.queryForString(
            "SELECT string_agg(split_part(dedup_key, '/', 1) || '/' || split_part(dedup_key, '/', 2), ','"
                + " ORDER BY dedup_key) FROM webhook_deliveries"));
    assertTrue(
        db.queryForString(
                "SELECT payload->'agent'->>'instance_uid' FROM webhook_deliveries WHERE webhook = 'pager'")
            .equals("gone-long"));

    // It comes back and goes away again: a new disconnection, told again.
    db.execute(
        "UPDATE agents SET last_seen = now() - interval '6 minutes' WHERE instance_uid = 'gone-long'");
    assertEquals(1L, enqueue());
  }

  private void create(String name, List<String> events) throws Exception {
    store
        .create(name, "https://" + name + ".example/hook", events, 5, "0123456789abcdef", "test")
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .orElseThrow();
  }

  private void agent(String uid, String state, String seenAgo, boolean healthy) {
    db.execute(
        "INSERT INTO agents (instance_uid, state_version, connection_state, last_seen, sequence_num,"
            + " session_epoch, health) VALUES ('"
            + uid
            + "', 1, '"
            + state
            + "', now() - interval '"
            + seenAgo
            + "', 1, 1, '{\"healthy\": "
            + healthy
            + ", \"status_time_unix_nano\": 7}')");
  }

  private long enqueue() throws Exception {
    return store
        .enqueueAgentEvents(Duration.ofDays(1), 100)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private List<WebhookStore.Claimed> claim() throws Exception {
    return store.claim(LEASE, 2, 100).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Map<String, Long> byWebhook(List<WebhookStore.Claimed> claimed) {
    return claimed.stream()
        .collect(Collectors.groupingBy(WebhookStore.Claimed::webhook, Collectors.counting()));
  }
}
