package io.switchboard.dispatch;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.cluster.agent.EnvelopeLedger;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.envelopes.Envelope;
import io.switchboard.persistence.envelopes.EnvelopeKind;
import io.switchboard.persistence.envelopes.EnvelopeState;
import io.switchboard.persistence.envelopes.EnvelopeStore;
import io.switchboard.persistence.envelopes.NewEnvelope;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoredEnvelopeLedgerTest {

  private TestDatabase db;
  private Database database;
  private EnvelopeStore store;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
    store = new EnvelopeStore(database.pool());
  }

  @AfterAll
  void stop() {
    database.close();
    db.close();
  }

  /**
   * A fan-out's pattern: every envelope sent and at once applied. The ledger writes in several
   * lanes side by side; each envelope's SENT must still land before its APPLIED, or the envelope
   * closes with no record of where it was sent from (a closed envelope never moves again).
   */
  @Test
  void eachEnvelopesChangesLandInTheOrderTheyWereMade() throws Exception {
    List<NewEnvelope> envelopes =
        IntStream.range(0, 2_000)
            .mapToObj(
                i ->
                    new NewEnvelope(
                        UUID.randomUUID(),
                        "agent-" + i,
                        EnvelopeKind.RESTART,
                        "{}",
                        new byte[] {1},
                        null,
                        null,
                        Instant.now().plusSeconds(300),
                        "test"))
            .toList();
    FleetTable.reported(db, envelopes.stream().map(NewEnvelope::instanceUid).toList());
    store.create(envelopes).toCompletableFuture().get(30, TimeUnit.SECONDS);
    EnvelopeLedger ledger = new StoredEnvelopeLedger(store);

    for (NewEnvelope envelope : envelopes) {
      ledger.sent(envelope.id(), "node-1");
      ledger.closed(envelope.id(), EnvelopeState.APPLIED, null);
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                db.queryForString(
                    "SELECT count(*)::text FROM dispatch_envelopes WHERE state::text = 'APPLIED'"),
            "2000"::equals);
    for (NewEnvelope envelope : envelopes) {
      Envelope stored =
          store.find(envelope.id()).toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow();
      assertEquals(
          "node-1",
          stored.sentByNode(),
          "envelope " + envelope.id() + " closed before its SENT was written");
    }
  }

  /** One outcome whose detail the database refuses fails no other outcome written with it. */
  @Test
  void anOutcomeTheDatabaseRefusesIsClosedWithAPlainDetailAndFailsNoOther() throws Exception {
    List<NewEnvelope> envelopes =
        IntStream.range(0, 200)
            .mapToObj(
                i ->
                    new NewEnvelope(
                        UUID.randomUUID(),
                        "refusal-" + i,
                        EnvelopeKind.RESTART,
                        "{}",
                        new byte[] {1},
                        null,
                        null,
                        Instant.now().plusSeconds(300),
                        "test"))
            .toList();
    FleetTable.reported(db, envelopes.stream().map(NewEnvelope::instanceUid).toList());
    store.create(envelopes).toCompletableFuture().get(30, TimeUnit.SECONDS);
    EnvelopeLedger ledger = new StoredEnvelopeLedger(store);

    for (int i = 0; i < envelopes.size(); i++) {
      // What an agent's error message could hold if it reached the ledger as it came.
      ledger.closed(
          envelopes.get(i).id(),
          EnvelopeState.FAILED,
          i == 100 ? "bad\u0000detail" : "failed " + i);
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                db.queryForString(
                    "SELECT count(*)::text FROM dispatch_envelopes WHERE instance_uid LIKE 'refusal-%' AND state::text = 'FAILED'"),
            "200"::equals);
    assertEquals(
        "failed 7",
        store
            .find(envelopes.get(7).id())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS)
            .orElseThrow()
            .detail());
    assertEquals(
        "its detail could not be stored",
        store
            .find(envelopes.get(100).id())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS)
            .orElseThrow()
            .detail());
  }
}
