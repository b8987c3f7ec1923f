package io.switchboard.persistence.history;

import io.r2dbc.pool.ConnectionPool;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keeps {@code agent_status_history} in daily partitions (UTC days): creates the coming days'
 * partitions before rows arrive, and drops whole partitions once they are past retention, which
 * costs nothing like deleting their rows. Rows that landed in the default partition (no daily
 * partition existed yet) are pruned with a plain delete.
 */
public final class HistoryRetention {

  private static final DateTimeFormatter SUFFIX = DateTimeFormatter.ofPattern("yyyyMMdd");
  private static final String PREFIX = "agent_status_history_";

  private final ConnectionPool pool;

  public HistoryRetention(ConnectionPool pool) {
    this.pool = pool;
  }

  /** Creates the daily partitions for {@code firstDay} and the {@code daysAhead} days after it. */
  public CompletionStage<Integer> ensurePartitions(LocalDate firstDay, int daysAhead) {
    List<String> statements = new ArrayList<>();
    for (int day = 0; day <= daysAhead; day++) {
      LocalDate date = firstDay.plusDays(day);
      statements.add(
          "CREATE TABLE IF NOT EXISTS "
              + partition(date)
              + " PARTITION OF agent_status_history FOR VALUES FROM ('"
              + startOf(date)
              + "') TO ('"
              + startOf(date.plusDays(1))
              + "')");
    }
    return execute(statements).map(List::size).toFuture();
  }

  /**
   * Drops the daily partitions of days before {@code oldestKept} and deletes older rows from the
   * default partition; completes with the names of the partitions dropped.
   */
  public CompletionStage<List<String>> prune(LocalDate oldestKept) {
    return Flux.usingWhen(
            pool.create(),
            connection ->
                Flux.from(
                        connection
                            .createStatement(
                                "SELECT child.relname FROM pg_inherits"
                                    + " JOIN pg_class parent ON parent.oid = pg_inherits.inhparent"
                                    + " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
                                    + " WHERE parent.relname = 'agent_status_history'")
                            .execute())
                    .flatMap(result -> result.map(row -> row.get(0, String.class))),
            connection -> connection.close())
        .filter(name -> isDailyPartitionBefore(name, oldestKept))
        .collectList()
        .flatMap(
            expired -> {
              List<String> statements = new ArrayList<>();
              expired.forEach(name -> statements.add("DROP TABLE IF EXISTS " + name));
              statements.add(
                  "DELETE FROM agent_status_history_default WHERE recorded_at < '"
                      + startOf(oldestKept)
                      + "'");
              return execute(statements).thenReturn(expired);
            })
        .toFuture();
  }

  private static boolean isDailyPartitionBefore(String name, LocalDate day) {
    return name.matches(PREFIX + "\\d{8}")
        && LocalDate.parse(name.substring(PREFIX.length()), SUFFIX).isBefore(day);
  }

  private static String partition(LocalDate date) {
    return PREFIX + SUFFIX.format(date);
  }

  private static String startOf(LocalDate date) {
    return date.atStartOfDay().atOffset(ZoneOffset.UTC).toString();
  }

  /** Runs the statements one after the other on one connection; they hold no outside input. */
  private Mono<List<Long>> execute(List<String> statements) {
    return Flux.usingWhen(
            pool.create(),
            connection ->
                Flux.fromIterable(statements)
                    .concatMap(
                        sql ->
                            Flux.from(connection.createStatement(sql).execute())
                                .flatMap(result -> result.getRowsUpdated())),
            connection -> connection.close())
        .collectList();
  }
}
