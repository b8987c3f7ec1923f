package io.switchboard.persistence.assignments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.persistence.Database;
import io.switchboard.persistence.agents.Selector;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Which agents an assignment reaches, in SQL, on a fleet of 1,000 (svc-(i % 100), linux for even
 * i): the highest priority wins, an override beats every assignment, an agent that already has its
 * assignment's version gets nothing again, and a new agent is decided from its description.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssignmentResolutionTest {

  private static final Duration DEADLINE = Duration.ofMinutes(15);

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
        VALUES ('collector', 1, 'PUBLISHED', '{}', '\\x01', 'test'),
               ('collector', 2, 'PUBLISHED', '{}', '\\x02', 'test')
        """);
  }

  @AfterAll
  void stop() {
    database.close();
    db.close();
  }

  @Test
  void theHighestPriorityWinsAndAnAgentWithItsVersionGetsNothingAgain() throws Exception {
    Selector linux = Selector.parse("os.type=linux,service.name in (svc-10,svc-12)", "");
    Selector svc10 = Selector.parse("service.name=svc-10", "");
    create("linux", linux, 0);
    create("svc10", svc10, 5);

    // svc-10 and svc-12 on linux: 20 agents; svc-10's 10 go to the higher priority.
    assertEquals(10, await(resolution.winners("linux", linux)).size());
    List<AppliedEnvelope> applied = await(resolution.apply("linux", linux, DEADLINE, "test"));
    assertEquals(10, applied.size());
    assertTrue(applied.get(0).message().length > 0, "the first envelope carries the message");
    assertEquals(0, await(resolution.apply("linux", linux, DEADLINE, "test")).size());
    assertEquals(10, await(resolution.apply("svc10", svc10, DEADLINE, "test")).size());
    assertEquals(
        "1",
        db.queryForString(
            "SELECT count(*) FROM audit_events WHERE action = 'assignment.apply' AND target = 'assignment/svc10'"));
  }

  @Test
  void anOverrideBeatsEveryAssignmentUntilCleared() throws Exception {
    Selector svc20 = Selector.parse("service.name=svc-20", "");
    create("svc20", svc20, 0);
    String uid =
        db.queryForString(
            "SELECT instance_uid FROM agents WHERE description->'identifying_attributes'->>'service.name' = 'svc-20' LIMIT 1");
    await(store.setOverride(uid, null, "test"));
    assertEquals(9, await(resolution.apply("svc20", svc20, DEADLINE, "test")).size());
    assertEquals(Optional.empty(), await(resolution.resolve(uid, null, DEADLINE)));
    assertTrue(await(store.clearOverride(uid, "test")));
    Optional<AppliedEnvelope> resolved = await(resolution.resolve(uid, null, DEADLINE));
    assertTrue(resolved.isPresent());
    assertEquals(Optional.empty(), await(resolution.resolve(uid, null, DEADLINE)));
  }

  @Test
  void aNewAgentIsDecidedFromTheDescriptionItReports() throws Exception {
    create("gpu-less", Selector.parse("service.name=brand-new,!gpu", ""), 0);
    String description =
        "{\"identifying_attributes\": {\"service.name\": \"brand-new\"}, \"non_identifying_attributes\": {}}";
    Optional<AppliedEnvelope> resolved =
        await(resolution.resolve("new-agent", description, DEADLINE));
    assertTrue(resolved.isPresent());
    assertEquals(
        "gpu-less",
        db.queryForString(
            "SELECT payload->>'assignment' FROM dispatch_envelopes WHERE instance_uid = 'new-agent'"));
    assertEquals(Optional.empty(), await(resolution.resolve("new-agent", description, DEADLINE)));
    String gpu =
        "{\"identifying_attributes\": {\"service.name\": \"brand-new\"}, \"non_identifying_attributes\": {\"gpu\": \"a100\"}}";
    assertEquals(Optional.empty(), await(resolution.resolve("gpu-agent", gpu, DEADLINE)));
  }

  /**
   * The join race: an agent decided from its description before the assignment existed, and not
   * stored when the assignment's set-based apply ran, is decided from its stored row afterwards.
   */
  @Test
  void agentsStoredAfterTheApplyAreDecidedFromTheirRows() throws Exception {
    String description =
        "{\"identifying_attributes\": {\"service.name\": \"racer\"}, \"non_identifying_attributes\": {}}";
    assertEquals(
        Optional.empty(), await(resolution.resolve("racing-agent", description, DEADLINE)));
    Selector racer = Selector.parse("service.name=racer", "");
    create("racer", racer, 0);
    assertEquals(0, await(resolution.apply("racer", racer, DEADLINE, "test")).size());
    FleetTable.reported(db, List.of("racing-agent"));
    db.execute(
        "UPDATE agents SET description = '"
            + description
            + "'::jsonb WHERE instance_uid = 'racing-agent'");
    List<List<AppliedEnvelope>> decided =
        await(resolution.resolveStored(List.of("racing-agent"), DEADLINE));
    assertEquals(1, decided.size());
    assertEquals("racing-agent", decided.get(0).get(0).instanceUid());
    assertTrue(decided.get(0).get(0).message().length > 0);
    assertEquals(List.of(), await(resolution.resolveStored(List.of("racing-agent"), DEADLINE)));
  }

  @Test
  void storedAgentsComeGroupedByAssignmentAndADeleteNamesTheAgentsItHad() throws Exception {
    create("svc30", Selector.parse("service.name=svc-30", ""), 0);
    create("svc31", Selector.parse("service.name=svc-31", ""), 0);
    List<String> uids =
        List.of(
            db.queryForString(
                    "SELECT string_agg(instance_uid, ',') FROM agents WHERE description->'identifying_attributes'->>'service.name' IN ('svc-30', 'svc-31')")
                .split(","));
    assertEquals(20, uids.size());
    List<List<AppliedEnvelope>> decided = await(resolution.resolveStored(uids, DEADLINE));
    assertEquals(2, decided.size());
    for (List<AppliedEnvelope> group : decided) {
      assertEquals(10, group.size());
      assertTrue(group.get(0).message().length > 0, "the first of each carries the message");
      assertTrue(group.stream().skip(1).allMatch(envelope -> envelope.message() == null));
    }
    Optional<List<String>> had = await(store.delete("svc31", "test"));
    assertEquals(10, had.orElseThrow().size());
    assertEquals(Optional.empty(), await(store.delete("svc31", "test")));
  }

  private void create(String name, Selector selector, int priority) throws Exception {
    String stored =
        "{\"attributes\": "
            + terms(selector.attributes())
            + ", \"labels\": "
            + terms(selector.labels())
            + "}";
    assertTrue(
        await(
                store.create(
                    new AssignmentWrite(
                        name,
                        "collector",
                        1,
                        null,
                        stored,
                        priority,
                        "",
                        null,
                        new byte[] {1, 2, 3},
                        null),
                    "test"))
            .isPresent());
  }

  private static String terms(List<io.switchboard.persistence.agents.SelectorTerm> terms) {
    return terms.stream()
        .map(
            term ->
                "{\"key\": \""
                    + term.key()
                    + "\", \"op\": \""
                    + term.operator().stored()
                    + "\", \"values\": ["
                    + String.join(
                        ", ", term.values().stream().map(value -> "\"" + value + "\"").toList())
                    + "]}")
        .reduce((a, b) -> a + ", " + b)
        .map(joined -> "[" + joined + "]")
        .orElse("[]");
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
