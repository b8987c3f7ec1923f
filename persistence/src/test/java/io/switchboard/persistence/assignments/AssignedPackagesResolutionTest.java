package io.switchboard.persistence.assignments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.persistence.Database;
import io.switchboard.persistence.agents.Selector;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An assignment's package set in SQL, on a fleet of 1,000 (svc-(i % 100)) of which some accept
 * packages: only those get a PACKAGES envelope, once, a config override does not hold it back, and
 * while a change of the set rolls out, agents that join get the previous set.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssignedPackagesResolutionTest {

  private static final Duration DEADLINE = Duration.ofMinutes(15);
  private static final String SET_1 = "[{\"name\": \"addon\", \"version\": \"1\"}]";
  private static final String SET_2 = "[{\"name\": \"addon\", \"version\": \"2\"}]";

  private TestDatabase db;
  private Database database;
  private AssignmentStore store;
  private AssignmentResolution resolution;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
    store = new AssignmentStore(database.pool());
    resolution = new AssignmentResolution(database.pool());
    FleetTable.fill(db, 1000);
    db.execute(
        """
        INSERT INTO configurations (name, created_by) VALUES ('collector', 'test');
        INSERT INTO configuration_versions (name, version, state, config_map, config_hash, created_by)
        VALUES ('collector', 1, 'PUBLISHED', '{}', '\\x01', 'test');
        -- Six agents of svc-30 and of svc-40 accept packages (ReportsStatus, AcceptsPackages).
        UPDATE agents SET capabilities = '{"bits": 9}'
        WHERE instance_uid IN (
          (SELECT instance_uid FROM agents
           WHERE description->'identifying_attributes'->>'service.name' = 'svc-30'
           ORDER BY instance_uid LIMIT 6)
          UNION ALL
          (SELECT instance_uid FROM agents
           WHERE description->'identifying_attributes'->>'service.name' = 'svc-40'
           ORDER BY instance_uid LIMIT 6));
        """);
  }

  @AfterAll
  void stop() {
    database.close();
    db.close();
  }

  @Test
  void onlyAgentsAcceptingPackagesGetTheSetOnceAndAnOverrideDoesNotHoldItBack() throws Exception {
    Selector svc30 = Selector.parse("service.name=svc-30", "");
    create("svc30", svc30);
    await(
        store.setPackages(
            "svc30", new AssignmentPackages(SET_1, "aa01", new byte[] {9}, null), "test"));
    String accepting = firstAccepting("svc-30");
    await(store.setOverride(accepting, null, "test"));

    List<AppliedEnvelope> applied = await(resolution.apply("svc30", svc30, DEADLINE, "test"));
    // 9 configs (the override holds one back), 6 package offers (the override does not).
    assertEquals(15, applied.size());
    assertEquals(2, applied.stream().filter(envelope -> envelope.message() != null).count());
    assertEquals("6", count("svc30", "aa01"));
    assertEquals(6, await(resolution.packageWinners("svc30", svc30)).size());
    assertEquals(0, await(resolution.apply("svc30", svc30, DEADLINE, "test")).size());
    assertEquals(List.of(), await(resolution.resolve(accepting, DEADLINE)));
  }

  @Test
  void whileAChangeRollsOutJoinersGetThePreviousSetAndTheNewOneOnceItCompletes() throws Exception {
    Selector svc40 = Selector.parse("service.name=svc-40", "");
    create("svc40", svc40);
    await(
        store.setPackages(
            "svc40", new AssignmentPackages(SET_1, "bb01", new byte[] {7}, null), "test"));
    UUID rollout = UUID.randomUUID();
    db.execute(
        "INSERT INTO rollouts (id, packages, selector, strategy, gates, state, batch_count, created_by, assignment)"
            + " VALUES ('"
            + rollout
            + "', '"
            + SET_2
            + "', '{}', '{}', '{}', 'RUNNING', 1, 'test', 'svc40')");
    Assignment changed =
        await(
                store.setPackages(
                    "svc40",
                    new AssignmentPackages(SET_2, "bb02", new byte[] {8}, rollout),
                    "test"))
            .orElseThrow();
    assertTrue(changed.packagesInFlight());
    assertEquals(SET_1.replace(" ", ""), changed.previousPackagesJson().replace(" ", ""));

    String joiner = firstAccepting("svc-40");
    String description =
        "{\"identifying_attributes\": {\"service.name\": \"svc-40\"}, \"non_identifying_attributes\": {}}";
    assertEquals(2, await(resolution.resolve(joiner, description, 9L, DEADLINE)).size());
    assertEquals("1", count("svc40", "bb01"), "the previous set while the rollout runs");

    db.execute("UPDATE rollouts SET state = 'COMPLETED' WHERE id = '" + rollout + "'");
    assertEquals(1, await(resolution.resolve(joiner, DEADLINE)).size());
    assertEquals("1", count("svc40", "bb02"), "the new set once it completed");
    // Without AcceptsPackages reported, a new agent gets its config only.
    assertEquals(1, await(resolution.resolve("no-packages", description, 1L, DEADLINE)).size());
  }

  @Test
  void configsAndPackagesAreEachDecidedAmongTheAssignmentsThatOfferThem() throws Exception {
    // svc-50: a package-only assignment of high priority, a config-only one of low priority.
    db.execute(
        """
        UPDATE agents SET capabilities = '{"bits": 9}'
        WHERE description->'identifying_attributes'->>'service.name' = 'svc-50'
        """);
    Selector svc50 = Selector.parse("service.name=svc-50", "");
    assertTrue(
        await(
                store.create(
                    new AssignmentWrite(
                        "svc50-packages",
                        null,
                        null,
                        null,
                        stored("svc-50"),
                        10,
                        "",
                        null,
                        null,
                        null),
                    "test"))
            .isPresent());
    await(
        store.setPackages(
            "svc50-packages", new AssignmentPackages(SET_1, "cc01", new byte[] {5}, null), "test"));
    createAt("svc50-config", "svc-50", 0);

    assertEquals(10, await(resolution.winners("svc50-config", svc50)).size());
    assertEquals(0, await(resolution.packageWinners("svc50-config", svc50)).size());
    assertEquals(10, await(resolution.apply("svc50-config", svc50, DEADLINE, "test")).size());
    assertEquals(10, await(resolution.apply("svc50-packages", svc50, DEADLINE, "test")).size());
    assertEquals("10", count("svc50-packages", "cc01"));
    assertEquals(
        "10",
        db.queryForString(
            "SELECT count(*) FROM dispatch_envelopes WHERE kind = 'REMOTE_CONFIG'"
                + " AND payload->>'assignment' = 'svc50-config'"));
  }

  @Test
  void storedAgentsAreOfferedTheirSetAfterTheJoinRace() throws Exception {
    createAt("svc60", "svc-60", 0);
    await(
        store.setPackages(
            "svc60", new AssignmentPackages(SET_2, "dd02", new byte[] {6}, null), "test"));
    db.execute(
        """
        UPDATE agents SET capabilities = '{"bits": 9}'
        WHERE description->'identifying_attributes'->>'service.name' = 'svc-60'
        """);
    List<String> uids =
        List.of(
            db.queryForString(
                    "SELECT string_agg(instance_uid, ',') FROM agents"
                        + " WHERE description->'identifying_attributes'->>'service.name' = 'svc-60'")
                .split(","));
    List<List<AppliedEnvelope>> decided = await(resolution.resolveStored(uids, DEADLINE));
    // One group of configs and one of package offers, each led by the envelope with the message.
    assertEquals(2, decided.size(), decided.toString());
    for (List<AppliedEnvelope> group : decided) {
      assertEquals(10, group.size());
      assertTrue(group.get(0).message() != null);
    }
    assertEquals("10", count("svc60", "dd02"));
    assertEquals(List.of(), await(resolution.resolveStored(uids, DEADLINE)));
  }

  private String count(String assignment, String hash) {
    return db.queryForString(
        "SELECT count(*) FROM dispatch_envelopes WHERE kind = 'PACKAGES'"
            + " AND payload->>'assignment' = '"
            + assignment
            + "' AND payload->>'all_packages_hash' = '"
            + hash
            + "'");
  }

  private String firstAccepting(String service) {
    return db.queryForString(
        "SELECT instance_uid FROM agents WHERE capabilities->>'bits' = '9'"
            + " AND description->'identifying_attributes'->>'service.name' = '"
            + service
            + "' ORDER BY instance_uid LIMIT 1");
  }

  private void create(String name, Selector selector) throws Exception {
    createAt(name, selector.attributes().get(0).values().get(0), 0);
  }

  private static String stored(String service) {
    return "{\"attributes\": [{\"key\": \"service.name\", \"op\": \"in\", \"values\": [\""
        + service
        + "\"]}], \"labels\": []}";
  }

  private void createAt(String name, String service, int priority) throws Exception {
    assertTrue(
        await(
                store.create(
                    new AssignmentWrite(
                        name,
                        "collector",
                        1,
                        null,
                        stored(service),
                        priority,
                        "",
                        null,
                        new byte[] {1, 2, 3},
                        null),
                    "test"))
            .isPresent());
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
