package io.switchboard.bench.scenario;

import io.switchboard.bench.report.Percentiles;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.status.AgentStatus;
import io.switchboard.persistence.status.AgentStatusStore;
import io.switchboard.persistence.status.ConnectionState;
import io.switchboard.persistence.status.StatusWriter;
import io.switchboard.persistence.status.StatusWriterSettings;
import io.switchboard.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * How fast agent status reaches PostgreSQL. A fleet of 100,000 agents sends heartbeat-like updates
 * (every 20th also changes health) at a steady offered rate ({@code -Drate}, default 50,000 a
 * second, for {@code -Dseconds}, default 20) through the status writer; a probe agent measures
 * enqueue-to-commit latency by polling its own row. The same run measures the limit: the writer's
 * unnest upsert issued back to back, batches of 1,000.
 */
public final class StatusWriteBenchmark {

  private static final int AGENTS = 100_000;
  private static final int RATE = Integer.getInteger("rate", 50_000);
  private static final int SECONDS = Integer.getInteger("seconds", 20);
  private static final int BATCH = 1_000;
  private static final int FLUSHES = Integer.getInteger("flushes", 4);
  private static final String PROBE = "probe";
  private static final String DESCRIPTION =
      "{\"identifying_attributes\": {\"service.name\": \"checkout-%d\", \"service.instance.id\": \"%s\","
          + " \"service.version\": \"1.42.0\"}, \"non_identifying_attributes\": {\"os.type\": \"linux\","
          + " \"host.name\": \"node-%d.fleet.example.internal\", \"host.arch\": \"amd64\","
          + " \"os.description\": \"Debian GNU/Linux 12 (bookworm)\", \"cloud.region\": \"eu-west-1\"}}";

  private StatusWriteBenchmark() {}

  public static void run() throws Exception {
    try (TestDatabase db = TestDatabase.start();
        Database database = Database.small(db.url())) {
      AgentStatusStore store = new AgentStatusStore(database.pool());
      seed(store);

      Stats before = Stats.read(db);
      long rawStart = System.nanoTime();
      for (int round = 0; round < 3; round++) {
        for (int from = 0; from < AGENTS; from += BATCH) {
          List<AgentStatus> batch = new ArrayList<>(BATCH);
          for (int i = from; i < from + BATCH; i++) {
            batch.add(heartbeat(i, 100 + round, false));
          }
          store.upsert(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
      }
      double rawSeconds = (System.nanoTime() - rawStart) / 1e9;
      Stats afterRaw = Stats.read(db);
      double rawRowsPerSecond = (afterRaw.updated - before.updated) / rawSeconds;

      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench");
      try {
        ActorRef<StatusWriter.Command> writer =
            system.systemActorOf(
                StatusWriter.create(
                    store,
                    new StatusWriterSettings(
                        BATCH,
                        Duration.ofMillis(200),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(5),
                        FLUSHES,
                        5,
                        16L << 20,
                        256L << 20)),
                "status-writer",
                org.apache.pekko.actor.typed.Props.empty());
        Map<Long, Long> probeSentAt = new ConcurrentHashMap<>();
        List<Long> latenciesNanos = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicLong polls = new AtomicLong();
        Thread poller =
            new Thread(
                () -> pollProbe(db, probeSentAt, latenciesNanos, producing, polls), "probe-poller");
        poller.start();

        long start = System.nanoTime();
        long probeVersion = 1000;
        long offered = 0;
        long total = (long) RATE * SECONDS;
        while (offered < total) {
          // Paced in slices of about a millisecond's worth of updates, so the offered rate stays
          // steady. The producer parks between slices rather than spinning: a spinning loop would
          // take one of the machine's two cores from PostgreSQL and the writer.
          long due = (System.nanoTime() - start) * RATE / 1_000_000_000L;
          for (; offered < Math.min(due, total); offered++) {
            int agent = (int) (offered % AGENTS);
            long version = 1000 + offered / AGENTS;
            writer.tell(
                new StatusWriter.Record(heartbeat(agent, version, (agent + version) % 20 == 0)));
            if (offered % 2000 == 0) {
              probeVersion++;
              probeSentAt.put(probeVersion, System.nanoTime());
              writer.tell(new StatusWriter.Record(status(PROBE, probeVersion, null)));
            }
          }
          LockSupport.parkNanos(1_000_000);
        }
        double enqueueSeconds = (System.nanoTime() - start) / 1e9;
        AskPattern.<StatusWriter.Command, Done>ask(
                writer, StatusWriter.Flush::new, Duration.ofMinutes(5), system.scheduler())
            .toCompletableFuture()
            .get(5, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - start) / 1e9;
        producing.set(false);
        poller.join();
        Stats after = Stats.read(db);

        long rows = after.updated - afterRaw.updated;
        long hot = after.hotUpdated - afterRaw.hotUpdated;
        // Every probe poll and statistics read is a transaction too; what is left are the flushes.
        long flushes = after.commits - afterRaw.commits - polls.get() - Stats.TRANSACTIONS_PER_READ;
        double rowsPerSecond = rows / seconds;
        List<Long> sorted = new ArrayList<>(latenciesNanos);
        Collections.sort(sorted);
        System.out.println("## status-writes\n");
        System.out.printf(
            "agents: %,d, updates offered: %,d in %.2f s (%,.0f/s)%n",
            AGENTS, total, enqueueSeconds, total / enqueueSeconds);
        System.out.println();
        System.out.println("| measure | value |");
        System.out.println("|---|---|");
        System.out.printf(
            "| agent updates persisted per second (latest state of each agent written) | %,.0f |%n",
            total / seconds);
        System.out.printf(
            "| rows written per second (after per-agent coalescing) | %,.0f |%n", rowsPerSecond);
        System.out.printf(
            "| raw unnest upsert, batches of %,d, back to back (the limit) | %,.0f rows/s |%n",
            BATCH, rawRowsPerSecond);
        System.out.printf(
            "| updates persisted / raw limit | %.0f%% |%n",
            100 * (total / seconds) / rawRowsPerSecond);
        System.out.printf(
            "| rows per flush (rows / transactions) | %,.0f |%n",
            flushes == 0 ? 0.0 : (double) rows / flushes);
        System.out.printf(
            "| enqueue-to-commit p50 | %.0f ms |%n", Percentiles.millis(sorted, 0.50));
        System.out.printf(
            "| enqueue-to-commit p99 | %.0f ms |%n", Percentiles.millis(sorted, 0.99));
        System.out.printf(
            "| HOT updates (n_tup_hot_upd / n_tup_upd) | %.1f%% |%n",
            rows == 0 ? 0.0 : 100.0 * hot / rows);
        System.out.printf("| probe samples | %d |%n", sorted.size());
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static void seed(AgentStatusStore store) throws Exception {
    for (int from = 0; from < AGENTS; from += BATCH) {
      List<AgentStatus> batch = new ArrayList<>(BATCH);
      for (int i = from; i < from + BATCH; i++) {
        batch.add(status("agent-" + i, 1, DESCRIPTION.formatted(i % 50, "agent-" + i, i)));
      }
      store.upsert(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    store.upsert(List.of(status(PROBE, 1, null))).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static AgentStatus heartbeat(int agent, long version, boolean healthChange) {
    AgentStatus status = status("agent-" + agent, version, null);
    if (!healthChange) {
      return status;
    }
    return new AgentStatus(
        status.instanceUid(),
        version,
        ConnectionState.CONNECTED,
        status.lastSeen(),
        version,
        "node-1",
        1,
        null,
        null,
        null,
        "{\"healthy\": " + (version % 2 == 0) + ", \"status\": \"running\"}",
        null,
        null,
        null,
        null,
        null,
        true,
        status.producedAt(),
        status.pendingSince());
  }

  private static AgentStatus status(String uid, long version, String description) {
    Instant now = Instant.now();
    return new AgentStatus(
        uid,
        version,
        ConnectionState.CONNECTED,
        now,
        version,
        "node-1",
        1,
        null,
        "{\"bits\": 14339}",
        description,
        description == null ? null : "{\"healthy\": true, \"status\": \"running\"}",
        null,
        null,
        null,
        null,
        null,
        description != null,
        now,
        now);
  }

  private static void pollProbe(
      TestDatabase db,
      Map<Long, Long> sentAt,
      List<Long> latencies,
      AtomicBoolean producing,
      AtomicLong polls) {
    try (Connection connection = db.connect();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT state_version FROM agents WHERE instance_uid = ?")) {
      query.setString(1, PROBE);
      while (producing.get() || !sentAt.isEmpty()) {
        long seen;
        polls.incrementAndGet();
        try (ResultSet result = query.executeQuery()) {
          result.next();
          seen = result.getLong(1);
        }
        long now = System.nanoTime();
        sentAt
            .entrySet()
            .removeIf(
                sent -> {
                  if (sent.getKey() <= seen) {
                    latencies.add(now - sent.getValue());
                    return true;
                  }
                  return false;
                });
        if (!producing.get() && sentAt.isEmpty()) {
          return;
        }
        // A poll every 2 ms is precise enough for latencies of tens of milliseconds and up; polling
        // flat out would be a second busy loop competing with the writes it measures.
        LockSupport.parkNanos(2_000_000);
      }
    } catch (Exception e) {
      throw new IllegalStateException("probe polling failed", e);
    }
  }

  /** PostgreSQL's own counters for the agents table and the database. */
  private record Stats(long updated, long hotUpdated, long commits) {

    static final int TRANSACTIONS_PER_READ = 4;

    static Stats read(TestDatabase db) {
      db.queryForString("SELECT pg_stat_force_next_flush()");
      return new Stats(
          Long.parseLong(
              db.queryForString(
                  "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'agents'")),
          Long.parseLong(
              db.queryForString(
                  "SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'agents'")),
          Long.parseLong(
              db.queryForString(
                  "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")));
    }
  }
}
