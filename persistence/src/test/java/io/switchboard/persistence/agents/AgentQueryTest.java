package io.switchboard.persistence.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.persistence.Database;
import io.switchboard.persistence.status.ConnectionState;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.TestDatabase;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Agent queries on a fleet of 100,000: the filters select what they say, pages cover every match
 * exactly once, and EXPLAIN shows that no query reads the whole table.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentQueryTest {

  private static final int FLEET = 100_000;

  private TestDatabase db;
  private Database database;
  private AgentRepository agents;

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
    agents = new AgentRepository(database.pool());
    FleetTable.fill(db, FLEET);
  }

  @AfterAll
  void stop() {
    database.close();
    db.close();
  }

  @Test
  void keysetPagesCoverEveryMatchExactlyOnce() throws Exception {
    Set<String> seen = new HashSet<>();
    Optional<AgentQuery.Cursor> after = Optional.empty();
    AgentQuery.Sort sort = AgentQuery.Sort.NEWEST;
    while (true) {
      List<AgentRecord> page =
          list(
              new AgentQuery(
                  Optional.of(ConnectionState.DISCONNECTED),
                  Optional.empty(),
                  Selector.ANY,
                  Optional.empty(),
                  sort,
                  after,
                  1000));
      page.forEach(agent -> assertTrue(seen.add(agent.instanceUid()), "no agent on two pages"));
      if (page.size() < 1000) {
        break;
      }
      AgentRecord last = page.get(page.size() - 1);
      after = Optional.of(new AgentQuery.Cursor(last.firstSeen(), last.instanceUid()));
    }
    assertEquals(FLEET / 10, seen.size());
  }

  @Test
  void filtersCombine() throws Exception {
    // i % 100 = 0 makes an agent svc-0, unhealthy (i % 50 = 0), failed (i % 20 = 0) and
    // disconnected.
    List<AgentRecord> matching =
        list(
            new AgentQuery(
                Optional.of(ConnectionState.DISCONNECTED),
                Optional.of(false),
                Selector.attribute("service.name", "svc-0"),
                Optional.of("FAILED"),
                AgentQuery.Sort.INSTANCE_UID,
                Optional.empty(),
                5000));
    assertEquals(FLEET / 100, matching.size());

    List<AgentRecord> linux =
        list(
            new AgentQuery(
                Optional.empty(),
                Optional.empty(),
                Selector.attribute("os.type", "linux"),
                Optional.empty(),
                AgentQuery.Sort.INSTANCE_UID,
                Optional.empty(),
                1000));
    assertEquals(1000, linux.size());
    linux.forEach(agent -> assertTrue(agent.descriptionJson().contains("\"linux\"")));

    List<AgentRecord> unhealthy =
        list(
            new AgentQuery(
                Optional.empty(),
                Optional.of(false),
                Selector.ANY,
                Optional.empty(),
                AgentQuery.Sort.INSTANCE_UID,
                Optional.empty(),
                5000));
    assertEquals(FLEET / 50, unhealthy.size());
  }

  @Test
  void labelsAndAttributesSelectTogether() throws Exception {
    db.execute(
        "UPDATE agents SET labels = '{\"ring\": \"canary\", \"env\": \"prod\"}'"
            + " WHERE instance_uid IN (SELECT instance_uid FROM agents ORDER BY instance_uid LIMIT 30)");

    List<AgentRecord> canaries =
        list(
            new AgentQuery(
                Optional.empty(),
                Optional.empty(),
                Selector.ofEqualities(Map.of(), Map.of("ring", "canary", "env", "prod")),
                Optional.empty(),
                AgentQuery.Sort.INSTANCE_UID,
                Optional.empty(),
                1000));
    List<AgentRecord> stagingCanaries =
        list(
            new AgentQuery(
                Optional.empty(),
                Optional.empty(),
                Selector.label("ring", "canary").and(Selector.label("env", "staging")),
                Optional.empty(),
                AgentQuery.Sort.INSTANCE_UID,
                Optional.empty(),
                1000));

    assertEquals(30, canaries.size());
    assertEquals(0, stagingCanaries.size());
  }

  @Test
  void theGrammarsOperatorsSelectWhatTheySay() throws Exception {
    db.execute(
        "UPDATE agents SET labels = '{\"gpu\": \"yes\", \"tier\": \"b\"}'"
            + " WHERE instance_uid IN (SELECT instance_uid FROM agents ORDER BY instance_uid DESC LIMIT 7)");
    // svc-3 and svc-4: 2,000 agents, half of them linux (even i) and half windows.
    assertEquals(2000, select("service.name in (svc-3,svc-4)", "").size());
    assertEquals(1000, select("service.name in (svc-3,svc-4),os.type!=linux", "").size());
    assertEquals(
        1000, select("service.name in (svc-3,svc-4),os.type notin (linux,bsd)", "").size());
    assertEquals(7, select("", "gpu").size());
    assertEquals(7, select("os.type,service.name", "tier in (a,b),gpu").size());
    assertEquals(0, select("!os.type", "gpu").size());
    assertEquals(0, select("", "gpu,tier notin (b)").size());
    assertEquals(7, select("", "gpu,!legacy,tier==b").size());
  }

  @Test
  void existenceAndSetTermsAreIndexServed() {
    Selector selector =
        Selector.parse("service.name in (svc-3,svc-4),os.type,zone notin (x)", "gpu,tier=b");
    List<String> conditions = new java.util.ArrayList<>();
    List<Object> parameters = new java.util.ArrayList<>();
    selector.addConditions(conditions, parameters);
    String sql = "SELECT instance_uid FROM agents WHERE " + String.join(" AND ", conditions);
    for (int i = parameters.size(); i >= 1; i--) {
      sql = sql.replace("$" + i, "'" + parameters.get(i - 1) + "'");
    }
    for (String query :
        List.of(
            sql,
            "SELECT instance_uid FROM agents WHERE labels ? 'gpu'",
            "SELECT instance_uid FROM agents WHERE (description->'identifying_attributes' ? 'zone'"
                + " OR description->'non_identifying_attributes' ? 'zone')")) {
      String plan = explain(query);
      assertFalse(plan.contains("Seq Scan"), () -> "a sequential scan for: " + query + "\n" + plan);
    }
  }

  private List<AgentRecord> select(String attributes, String labels) throws Exception {
    return list(
        new AgentQuery(
            Optional.empty(),
            Optional.empty(),
            Selector.parse(attributes, labels),
            Optional.empty(),
            AgentQuery.Sort.INSTANCE_UID,
            Optional.empty(),
            5000));
  }

  @Test
  void noQueryShapeReadsTheWholeTable() {
    for (String where :
        List.of(
            "ORDER BY instance_uid LIMIT 100",
            "WHERE instance_uid > '7' ORDER BY instance_uid LIMIT 100",
            "WHERE connection_state = 'DISCONNECTED' ORDER BY instance_uid LIMIT 100",
            "WHERE (health->>'healthy')::boolean = false ORDER BY instance_uid LIMIT 100",
            "WHERE remote_config_status->>'status' = 'FAILED' ORDER BY instance_uid LIMIT 100",
            "WHERE (description @> '{\"identifying_attributes\": {\"service.name\": \"svc-7\"}}'"
                + " OR description @> '{\"non_identifying_attributes\": {\"service.name\": \"svc-7\"}}')"
                + " ORDER BY instance_uid LIMIT 100",
            "WHERE labels @> '{\"ring\": \"canary\"}' ORDER BY instance_uid LIMIT 100",
            "ORDER BY first_seen DESC, instance_uid DESC LIMIT 100")) {
      String plan = explain("SELECT instance_uid FROM agents " + where);
      assertFalse(plan.contains("Seq Scan"), () -> "a sequential scan for: " + where + "\n" + plan);
    }
  }

  private String explain(String sql) {
    StringBuilder plan = new StringBuilder();
    try (var connection = db.connect();
        var result = connection.createStatement().executeQuery("EXPLAIN " + sql)) {
      while (result.next()) {
        plan.append(result.getString(1)).append('\n');
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return plan.toString();
  }

  private List<AgentRecord> list(AgentQuery query) throws Exception {
    return agents.list(query).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
