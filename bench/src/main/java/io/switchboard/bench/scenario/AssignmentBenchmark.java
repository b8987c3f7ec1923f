package io.switchboard.bench.scenario;

import io.switchboard.bench.report.Percentiles;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.agents.Selector;
import io.switchboard.persistence.assignments.AppliedEnvelope;
import io.switchboard.persistence.assignments.AssignmentResolution;
import io.switchboard.persistence.assignments.AssignmentStore;
import io.switchboard.persistence.assignments.AssignmentWrite;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Standing assignments on a table of 100,000 agents (FleetTable) with ten assignments of rising
 * priority: re-evaluating one assignment over the whole fleet (which agents it wins, and writing
 * their envelopes), each one set-based statement; and a new agent's match at its first message, one
 * statement, 1,000 times (p50/p99).
 */
public final class AssignmentBenchmark {

  private static final int AGENTS = 100_000;
  private static final int NEW_AGENTS = 1000;
  private static final Duration DEADLINE = Duration.ofMinutes(15);

  private AssignmentBenchmark() {}

  public static void run() throws Exception {
    try (TestDatabase db = TestDatabase.start();
        Database database = Database.small(db.url())) {
      FleetTable.fill(db, AGENTS);
      db.execute(
          """
          INSERT INTO configurations (name, created_by) VALUES ('collector', 'bench');
          INSERT INTO configuration_versions (name, version, state, config_map, config_hash, created_by)
          VALUES ('collector', 1, 'PUBLISHED', '{}', '\\x01', 'bench');
          ANALYZE agents;
          """);
      AssignmentStore store = new AssignmentStore(database.pool());
      AssignmentResolution resolution = new AssignmentResolution(database.pool());
      // Nine narrow assignments above one that every linux agent matches (50,000 agents).
      for (int i = 1; i <= 9; i++) {
        create(store, "svc-" + i, Selector.parse("service.name=svc-" + i, "gpu"), i);
      }
      Selector everyLinux = Selector.parse("os.type=linux,!legacy", "");
      create(store, "linux", everyLinux, 0);

      System.out.println("## assignments (" + String.format("%,d", AGENTS) + " agents)\n");
      System.out.println("| step | statements | agents | time |");
      System.out.println("|---|---|---|---|");
      long start = System.nanoTime();
      int winners =
          resolution
              .winners("linux", everyLinux)
              .toCompletableFuture()
              .get(5, TimeUnit.MINUTES)
              .size();
      report(
          "which agents `os.type=linux,!legacy` wins (priority 0 under nine others)",
          winners,
          start);
      start = System.nanoTime();
      List<AppliedEnvelope> applied =
          resolution
              .apply("linux", everyLinux, DEADLINE, "bench")
              .toCompletableFuture()
              .get(10, TimeUnit.MINUTES);
      report("apply it: write an envelope for each agent it wins", applied.size(), start);
      start = System.nanoTime();
      List<AppliedEnvelope> again =
          resolution
              .apply("linux", everyLinux, DEADLINE, "bench")
              .toCompletableFuture()
              .get(10, TimeUnit.MINUTES);
      report("apply it again: every agent has it, nothing written", again.size(), start);

      List<Long> nanos = new ArrayList<>();
      for (int i = 0; i < NEW_AGENTS; i++) {
        String description =
            "{\"identifying_attributes\": {\"service.name\": \"svc-"
                + (i % 100)
                + "\"}, \"non_identifying_attributes\": {\"os.type\": \"linux\"}}";
        long one = System.nanoTime();
        resolution
            .resolve(UUID.randomUUID().toString(), description, 0L, DEADLINE)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
        nanos.add(System.nanoTime() - one);
      }
      Collections.sort(nanos);
      System.out.printf(
          "| a new agent's first message: decide and write its envelope (%,d agents, one at a time) | 1 each | %,d | p50 %.1f ms, p99 %.1f ms |%n",
          NEW_AGENTS, NEW_AGENTS, Percentiles.millis(nanos, 0.50), Percentiles.millis(nanos, 0.99));
    }
  }

  private static void report(String step, int agents, long startNanos) {
    System.out.printf(
        "| %s | 1 | %,d | %.0f ms |%n", step, agents, (System.nanoTime() - startNanos) / 1e6);
  }

  private static void create(AssignmentStore store, String name, Selector selector, int priority)
      throws Exception {
    StringBuilder stored = new StringBuilder("{");
    stored.append("\"attributes\": ").append(terms(selector.attributes())).append(", ");
    stored.append("\"labels\": ").append(terms(selector.labels())).append("}");
    store
        .create(
            new AssignmentWrite(
                name,
                "collector",
                1,
                null,
                stored.toString(),
                priority,
                "",
                null,
                new byte[] {1},
                null),
            "bench")
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private static String terms(List<io.switchboard.persistence.agents.SelectorTerm> terms) {
    List<String> out = new ArrayList<>();
    for (var term : terms) {
      out.add(
          "{\"key\": \""
              + term.key()
              + "\", \"op\": \""
              + term.operator().stored()
              + "\", \"values\": ["
              + String.join(", ", term.values().stream().map(v -> "\"" + v + "\"").toList())
              + "]}");
    }
    return "[" + String.join(", ", out) + "]";
  }
}
