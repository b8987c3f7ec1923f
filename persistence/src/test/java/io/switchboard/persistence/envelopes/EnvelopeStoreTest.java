package io.switchboard.persistence.envelopes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.persistence.Database;
import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.agents.AgentStart;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnvelopeStoreTest {

  private TestDatabase db;
  private Database database;
  private EnvelopeStore store;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
    store = new EnvelopeStore(database.pool());
    FleetTable.reported(
        db, List.of("agent-a", "agent-b", "agent-c", "agent-d", "agent-e", "agent-f"));
  }

  @AfterAll
  void stop() {
    database.close();
    db.close();
  }

  @Test
  void anEnvelopeIsWrittenWithItsAuditEventAndMovesOnlyForward() throws Exception {
    NewEnvelope envelope =
        envelope("agent-a", null, Instant.now().plusSeconds(60), new byte[] {1, 2});

    EnvelopeStore.Created created = assertInstanceOf(EnvelopeStore.Created.class, create(envelope));

    assertEquals(EnvelopeState.PENDING, created.envelope().state());
    assertEquals(
        "dispatch.restart|agent/agent-a|" + envelope.id(),
        db.queryForString(
            "SELECT action || '|' || target || '|' || (after->>'envelope') FROM audit_events WHERE after->>'envelope' = ?",
            envelope.id().toString()));

    assertTrue(sent(envelope.id(), "node-1"));
    assertEquals(false, sent(envelope.id(), "node-2"), "sent once");
    assertTrue(closed(envelope.id(), EnvelopeState.APPLIED, null));
    assertEquals(
        false,
        closed(envelope.id(), EnvelopeState.EXPIRED, "late"),
        "a closed envelope stays closed");

    Envelope stored = get(store.find(envelope.id())).orElseThrow();
    assertEquals(EnvelopeState.APPLIED, stored.state());
    assertEquals("node-1", stored.sentByNode());
    assertTrue(stored.closedAt() != null && stored.sentAt() != null);
    assertThrows(
        IllegalArgumentException.class,
        () -> new EnvelopeOutcome(envelope.id(), EnvelopeState.SENT, null));
  }

  @Test
  void anIdempotencyKeyMakesOneEnvelopeAndRefusesAnotherRequest() throws Exception {
    String key = "key-" + UUID.randomUUID();
    NewEnvelope first = envelope("agent-b", key, Instant.now().plusSeconds(60), new byte[] {1});

    Envelope written = created(first);
    EnvelopeStore.Submission retry =
        create(envelope("agent-b", key, Instant.now().plusSeconds(60), new byte[] {1}));
    EnvelopeStore.Submission other =
        create(envelope("agent-b", key, Instant.now().plusSeconds(60), new byte[] {9}));

    assertEquals(
        written.id(), assertInstanceOf(EnvelopeStore.Replayed.class, retry).envelope().id());
    assertInstanceOf(EnvelopeStore.KeyReused.class, other);
    assertEquals(
        "1",
        db.queryForString(
            "SELECT count(*) FROM dispatch_envelopes WHERE idempotency_key = ?", key));
    assertEquals(
        "1",
        db.queryForString(
            "SELECT count(*) FROM audit_events WHERE after->>'envelope' = ?",
            written.id().toString()));
  }

  @Test
  void aBatchIsWrittenInOneStatementAndAnsweredInOrder() throws Exception {
    String agent = reportedAgent();
    String taken = "key-" + UUID.randomUUID();
    String twice = "key-" + UUID.randomUUID();
    Envelope earlier =
        created(envelope(agent, taken, Instant.now().plusSeconds(60), new byte[] {5}));
    NewEnvelope config = remoteConfig(agent, new byte[] {8, 0, -1});
    List<NewEnvelope> batch =
        List.of(
            config,
            envelope(agent, taken, Instant.now().plusSeconds(60), new byte[] {6}),
            envelope(agent, twice, Instant.now().plusSeconds(60), new byte[] {7}),
            envelope(agent, twice, Instant.now().plusSeconds(60), new byte[] {7}),
            envelope(agent, null, Instant.now().plusSeconds(60), new byte[] {9}));

    List<EnvelopeStore.Submission> answers = get(store.create(batch));

    assertEquals(5, answers.size());
    assertEquals(
        config.id(), assertInstanceOf(EnvelopeStore.Created.class, answers.get(0)).envelope().id());
    assertEquals(
        earlier.id(),
        assertInstanceOf(
                EnvelopeStore.KeyReused.class,
                answers.get(1),
                "a key taken before, for another request")
            .envelope()
            .id());
    Envelope writtenOnce = assertInstanceOf(EnvelopeStore.Created.class, answers.get(2)).envelope();
    assertEquals(
        writtenOnce.id(),
        assertInstanceOf(
                EnvelopeStore.Replayed.class,
                answers.get(3),
                "the same request twice in one batch is written once")
            .envelope()
            .id());
    Envelope withoutHash = assertInstanceOf(EnvelopeStore.Created.class, answers.get(4)).envelope();
    assertEquals(
        "4",
        db.queryForString("SELECT count(*) FROM audit_events WHERE target = ?", "agent/" + agent),
        "one audit event per envelope written");
    LatestEnvelope stored = desired(agent).get(EnvelopeKind.REMOTE_CONFIG);
    assertEquals(config.id(), stored.envelope());
    assertArrayEquals(
        config.message(), stored.message(), "the protobuf part comes back byte for byte");
    assertEquals(
        "07",
        db.queryForString(
            "SELECT encode(config_hash, 'hex') FROM dispatch_envelopes WHERE id = ?", config.id()));
    assertEquals(
        null,
        db.queryForString(
            "SELECT config_hash FROM dispatch_envelopes WHERE id = ?", withoutHash.id()));
  }

  @Test
  void nothingIsWrittenForAnAgentThatNeverReportedAndTheRestOfItsBatchIs() throws Exception {
    String known = reportedAgent();
    String stranger = "agent-" + UUID.randomUUID();
    String key = "key-" + UUID.randomUUID();
    List<NewEnvelope> batch =
        List.of(
            envelope(known, null, Instant.now().plusSeconds(60), new byte[] {1}),
            envelope(stranger, key, Instant.now().plusSeconds(60), new byte[] {1}),
            envelope(known, null, Instant.now().plusSeconds(60), new byte[] {2}));

    List<EnvelopeStore.Submission> answers = get(store.create(batch));

    assertInstanceOf(EnvelopeStore.Created.class, answers.get(0));
    assertEquals(new EnvelopeStore.UnknownAgent(stranger), answers.get(1));
    assertInstanceOf(EnvelopeStore.Created.class, answers.get(2));
    assertEquals(
        new EnvelopeStore.UnknownAgent(stranger),
        create(envelope(stranger, key, Instant.now().plusSeconds(60), new byte[] {1})),
        "a retry finds nothing under its key either");
    assertEquals(
        "0",
        db.queryForString(
            "SELECT count(*) FROM dispatch_envelopes WHERE instance_uid = ?", stranger));
    assertEquals(
        "0",
        db.queryForString(
            "SELECT count(*) FROM audit_events WHERE target = ?", "agent/" + stranger));
    assertEquals(
        "2",
        db.queryForString("SELECT count(*) FROM dispatch_envelopes WHERE instance_uid = ?", known));
  }

  @Test
  void manyEnvelopesAreSentAndClosedInOneStatementEach() throws Exception {
    List<NewEnvelope> batch =
        List.of(
            envelope("agent-d", null, Instant.now().plusSeconds(60), new byte[] {1}),
            envelope("agent-e", null, Instant.now().plusSeconds(60), new byte[] {1}),
            envelope("agent-f", null, Instant.now().plusSeconds(60), new byte[] {1}));
    get(store.create(batch));
    UUID d = batch.get(0).id();
    UUID e = batch.get(1).id();
    UUID f = batch.get(2).id();
    assertTrue(closed(f, EnvelopeState.FAILED, "refused"));

    Map<UUID, String> sends = new LinkedHashMap<>();
    sends.put(d, "node-1");
    sends.put(e, "node-2");
    sends.put(f, "node-1");
    assertEquals(Set.of(d, e), get(store.markSent(sends)), "a closed envelope is not sent");
    assertEquals(
        Set.of(d),
        get(
            store.close(
                List.of(
                    new EnvelopeOutcome(d, EnvelopeState.APPLIED, null),
                    new EnvelopeOutcome(f, EnvelopeState.APPLIED, null)))),
        "a closed envelope stays closed");

    assertEquals("node-2", get(store.find(e)).orElseThrow().sentByNode());
    assertEquals(EnvelopeState.SENT, get(store.find(e)).orElseThrow().state());
    assertEquals(EnvelopeState.APPLIED, get(store.find(d)).orElseThrow().state());
    Envelope failed = get(store.find(f)).orElseThrow();
    assertEquals(EnvelopeState.FAILED, failed.state());
    assertEquals("refused", failed.detail());
    assertEquals(Set.of(), get(store.markSent(Map.of())), "nothing to change: no statement");
  }

  @Test
  void overdueEnvelopesExpireAndOpenOnesAreHandedBackOncePerQuietSpell() throws Exception {
    NewEnvelope overdue = envelope("agent-c", null, Instant.now().minusSeconds(10), new byte[] {1});
    NewEnvelope open = envelope("agent-c", null, Instant.now().plusSeconds(600), new byte[] {4, 2});
    create(overdue);
    create(open);

    assertTrue(get(store.expireOverdue(Duration.ZERO)) >= 1);
    assertEquals(EnvelopeState.EXPIRED, get(store.find(overdue.id())).orElseThrow().state());

    List<Redelivery> handedBack = get(store.takeForRedelivery(Duration.ZERO, 1000));
    Redelivery redelivery =
        handedBack.stream().filter(r -> r.id().equals(open.id())).findFirst().orElseThrow();
    assertEquals("agent-c", redelivery.instanceUid());
    assertEquals(2, redelivery.message().length);
    assertTrue(
        get(store.takeForRedelivery(Duration.ofMinutes(5), 1000)).stream()
            .noneMatch(r -> r.id().equals(open.id())),
        "not again within the quiet spell");
    assertTrue(
        get(store.takeForRedelivery(Duration.ZERO, 1000)).stream()
            .noneMatch(r -> r.id().equals(overdue.id())),
        "expired envelopes are not handed back");
  }

  @Test
  void listsPageNewestFirstAndFilter() throws Exception {
    String agent = reportedAgent();
    NewEnvelope older = envelope(agent, null, Instant.now().plusSeconds(60), new byte[] {1});
    create(older);
    NewEnvelope newer = envelope(agent, null, Instant.now().plusSeconds(60), new byte[] {1});
    create(newer);
    sent(newer.id(), "node-1");

    List<Envelope> first =
        get(store.list(Optional.of(agent), Optional.empty(), Optional.empty(), 1));
    List<Envelope> second =
        get(store.list(Optional.of(agent), Optional.empty(), Optional.of(first.get(0).id()), 1));
    List<Envelope> sent =
        get(store.list(Optional.of(agent), Optional.of(EnvelopeState.SENT), Optional.empty(), 10));

    assertEquals(newer.id(), first.get(0).id());
    assertEquals(older.id(), second.get(0).id());
    assertEquals(List.of(newer.id()), sent.stream().map(Envelope::id).toList());
  }

  @Test
  void manyAgentsDesiredStateComesBackInOneRead() throws Exception {
    String configured = reportedAgent();
    String reconfigured = reportedAgent();
    String untouched = "agent-" + UUID.randomUUID();
    NewEnvelope first = remoteConfig(configured, new byte[] {1});
    create(first);
    create(remoteConfig(reconfigured, new byte[] {2}));
    NewEnvelope latest = remoteConfig(reconfigured, new byte[] {3});
    create(latest);

    String unconfigured = reportedAgent();

    Map<String, AgentStart> found =
        get(
            new AgentRepository(database.pool())
                .starts(List.of(configured, reconfigured, unconfigured, untouched)));

    assertEquals(
        Set.of(configured, reconfigured, unconfigured),
        found.keySet(),
        "an agent with no row is absent");
    assertEquals(Map.of(), found.get(unconfigured).desired());
    assertEquals(
        first.id(), found.get(configured).desired().get(EnvelopeKind.REMOTE_CONFIG).envelope());
    assertEquals(
        latest.id(), found.get(reconfigured).desired().get(EnvelopeKind.REMOTE_CONFIG).envelope());
    assertEquals(3, found.get(reconfigured).desired().get(EnvelopeKind.REMOTE_CONFIG).message()[0]);
  }

  @Test
  void theLatestRemoteConfigNotRefusedIsWhatANewEntityTakesBack() throws Exception {
    String agent = reportedAgent();
    assertEquals(Map.of(), desired(agent));
    NewEnvelope applied = remoteConfig(agent, new byte[] {1});
    create(applied);
    closed(applied.id(), EnvelopeState.APPLIED, null);
    NewEnvelope failed = remoteConfig(agent, new byte[] {2});
    create(failed);
    closed(failed.id(), EnvelopeState.FAILED, "bad");

    LatestEnvelope found = desired(agent).get(EnvelopeKind.REMOTE_CONFIG);
    assertEquals(applied.id(), found.envelope());
    assertEquals(EnvelopeState.APPLIED, found.state());

    NewEnvelope open = remoteConfig(agent, new byte[] {3});
    create(open);
    assertEquals(open.id(), desired(agent).get(EnvelopeKind.REMOTE_CONFIG).envelope());
    assertEquals(3, desired(agent).get(EnvelopeKind.REMOTE_CONFIG).message()[0]);
  }

  private static NewEnvelope remoteConfig(String agent, byte[] message) {
    return new NewEnvelope(
        UUID.randomUUID(),
        agent,
        EnvelopeKind.REMOTE_CONFIG,
        "{}",
        message,
        new byte[] {7},
        null,
        Instant.now().plusSeconds(60),
        "test");
  }

  private static NewEnvelope envelope(String agent, String key, Instant deadline, byte[] message) {
    return new NewEnvelope(
        UUID.randomUUID(), agent, EnvelopeKind.RESTART, "{}", message, null, key, deadline, "test");
  }

  private EnvelopeStore.Submission create(NewEnvelope envelope) throws Exception {
    return get(store.create(List.of(envelope))).get(0);
  }

  private Envelope created(NewEnvelope envelope) throws Exception {
    return assertInstanceOf(EnvelopeStore.Created.class, create(envelope)).envelope();
  }

  /** A new agent that reported to Switchboard, so that envelopes may be written for it. */
  private String reportedAgent() {
    String agent = "agent-" + UUID.randomUUID();
    FleetTable.reported(db, List.of(agent));
    return agent;
  }

  private boolean sent(UUID envelope, String node) throws Exception {
    return get(store.markSent(Map.of(envelope, node))).contains(envelope);
  }

  private boolean closed(UUID envelope, EnvelopeState outcome, String detail) throws Exception {
    return get(store.close(List.of(new EnvelopeOutcome(envelope, outcome, detail))))
        .contains(envelope);
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private Map<EnvelopeKind, LatestEnvelope> desired(String agent) throws Exception {
    AgentStart start = get(new AgentRepository(database.pool()).starts(List.of(agent))).get(agent);
    return start == null ? Map.of() : start.desired();
  }
}
