package io.switchboard.bench.scenario;

import io.switchboard.bench.report.Percentiles;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.agents.AgentQuery;
import io.switchboard.persistence.agents.AgentRecord;
import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.agents.Selector;
import io.switchboard.persistence.status.ConnectionState;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's agent list queries on a table of 100,000 agents, each run 300 times through the
 * repository (R2DBC, as the API runs them); reports p50 and p99 per query shape.
 */
public final class AgentQueryBenchmark {

  private static final int AGENTS = 100_000;
  private static final int RUNS = 300;

  private AgentQueryBenchmark() {}

  public static void run() throws Exception {
    try (TestDatabase db = TestDatabase.start();
        Database database = Database.small(db.url())) {
      FleetTable.fill(db, AGENTS);
      AgentRepository agents = new AgentRepository(database.pool());
      AgentRecord middle =
          agents.list(AgentQuery.firstPage(1000)).toCompletableFuture().get().get(999);
      AgentQuery.Cursor deep = new AgentQuery.Cursor(middle.firstSeen(), middle.instanceUid());

      Map<String, AgentQuery> shapes = new LinkedHashMap<>();
      shapes.put("first page, 100", AgentQuery.firstPage(100));
      shapes.put(
          "page after a cursor, 100",
          query(
              Optional.empty(),
              Optional.empty(),
              Selector.ANY,
              Optional.empty(),
              AgentQuery.Sort.INSTANCE_UID,
              Optional.of(deep)));
      shapes.put(
          "disconnected, 100",
          query(
              Optional.of(ConnectionState.DISCONNECTED),
              Optional.empty(),
              Selector.ANY,
              Optional.empty(),
              AgentQuery.Sort.INSTANCE_UID,
              Optional.empty()));
      shapes.put(
          "unhealthy, 100",
          query(
              Optional.empty(),
              Optional.of(false),
              Selector.ANY,
              Optional.empty(),
              AgentQuery.Sort.INSTANCE_UID,
              Optional.empty()));
      shapes.put(
          "service.name = svc-7, 100",
          query(
              Optional.empty(),
              Optional.empty(),
              Selector.attribute("service.name", "svc-7"),
              Optional.empty(),
              AgentQuery.Sort.INSTANCE_UID,
              Optional.empty()));
      // The selector grammar's operators (FleetTable: 100 services, linux or windows).
      db.execute(
          "UPDATE agents SET labels = jsonb_build_object('tier', CASE WHEN hashtext(instance_uid) % 2 = 0"
              + " THEN 'a' ELSE 'b' END) || CASE WHEN hashtext(instance_uid) % 100 = 0"
              + " THEN '{\"gpu\": \"yes\"}'::jsonb ELSE '{}'::jsonb END");
      db.execute("ANALYZE agents");
      for (String[] grammar :
          new String[][] {
            {"service.name in (svc-7,svc-8,svc-9)", ""},
            {"service.name=svc-7,os.type!=linux", ""},
            {"service.name=svc-7,os.type notin (linux,bsd)", ""},
            {"", "gpu"},
            {"service.name=svc-7", "tier in (a,b),!legacy"},
            {"", "!legacy"}
          }) {
        shapes.put(
            "selector attributes \"" + grammar[0] + "\" labels \"" + grammar[1] + "\", 100",
            query(
                Optional.empty(),
                Optional.empty(),
                Selector.parse(grammar[0], grammar[1]),
                Optional.empty(),
                AgentQuery.Sort.INSTANCE_UID,
                Optional.empty()));
      }
      shapes.put(
          "config FAILED, 100",
          query(
              Optional.empty(),
              Optional.empty(),
              Selector.ANY,
              Optional.of("FAILED"),
              AgentQuery.Sort.INSTANCE_UID,
              Optional.empty()));
      shapes.put(
          "newest first, 100",
          query(
              Optional.empty(),
              Optional.empty(),
              Selector.ANY,
              Optional.empty(),
              AgentQuery.Sort.NEWEST,
              Optional.empty()));

      System.out.println(
          "## agent-queries ("
              + String.format("%,d", AGENTS)
              + " agents, "
              + RUNS
              + " runs each)\n");
      System.out.println("| query | p50 | p99 | plan (scans) |");
      System.out.println("|---|---|---|---|");
      for (Map.Entry<String, AgentQuery> shape : shapes.entrySet()) {
        List<Long> nanos = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
          long start = System.nanoTime();
          agents.list(shape.getValue()).toCompletableFuture().get(10, TimeUnit.SECONDS);
          nanos.add(System.nanoTime() - start);
        }
        Collections.sort(nanos);
        System.out.printf(
            "| %s | %.1f ms | %.1f ms | %s |%n",
            shape.getKey(),
            Percentiles.millis(nanos, 0.50),
            Percentiles.millis(nanos, 0.99),
            scans(db, shape.getValue()));
      }
    }
  }

  /** The scan nodes of the query's plan: whether an index serves it. */
  private static String scans(TestDatabase db, AgentQuery query) {
    AgentQuery.Sql sql = query.toSql();
    // JDBC placeholders: jsonb's own ? operators are escaped, then each $n becomes a ? bound to
    // parameter n (a parameter may be used more than once).
    List<Object> arguments = new ArrayList<>();
    Matcher placeholder = Pattern.compile("\\$(\\d+)").matcher(sql.text().replace("?", "??"));
    StringBuilder jdbc = new StringBuilder();
    while (placeholder.find()) {
      arguments.add(sql.parameters().get(Integer.parseInt(placeholder.group(1)) - 1));
      placeholder.appendReplacement(jdbc, "?");
    }
    placeholder.appendTail(jdbc);
    String plan =
        db.queryForString("EXPLAIN (FORMAT JSON) SELECT * FROM agents" + jdbc, arguments.toArray());
    List<String> scans = new ArrayList<>();
    Matcher node =
        Pattern.compile("\"Node Type\": \"([^\"]*Scan)\"(?:[^{}]*?\"Index Name\": \"([^\"]+)\")?")
            .matcher(plan);
    while (node.find()) {
      scans.add(node.group(2) == null ? node.group(1) : node.group(1) + " " + node.group(2));
    }
    return String.join(", ", scans);
  }

  private static AgentQuery query(
      Optional<ConnectionState> state,
      Optional<Boolean> healthy,
      Selector selector,
      Optional<String> configStatus,
      AgentQuery.Sort sort,
      Optional<AgentQuery.Cursor> after) {
    return new AgentQuery(state, healthy, selector, configStatus, sort, after, 100);
  }
}
