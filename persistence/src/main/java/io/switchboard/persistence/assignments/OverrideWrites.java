package io.switchboard.persistence.assignments;

import io.switchboard.persistence.BatchedCalls;
import io.switchboard.persistence.Sql;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Operators' overrides of assignments, written together: every remote config an operator sends
 * through the API sets one, so at hundreds of commands a second a statement each would double the
 * commands' transactions. One statement at a time, so that of two overrides of one agent the later
 * call wins, within a statement by its position and across statements by their order.
 */
final class OverrideWrites {

  /** Agents per statement at most. */
  private static final int MAX_BATCH = 500;

  /** An agent's desired config marked as set by {@code actor}, envelope {@code envelope}. */
  record Override(String instanceUid, UUID envelope, String actor) {}

  private final Sql db;
  private final BatchedCalls<Override, Boolean> writes;

  OverrideWrites(Sql db) {
    this.db = db;
    this.writes = new BatchedCalls<>(this::write, false, 1, MAX_BATCH);
  }

  CompletionStage<Boolean> set(String instanceUid, UUID envelope, String actor) {
    return writes.call(new Override(instanceUid, envelope, actor));
  }

  private CompletionStage<Map<Override, Boolean>> write(Set<Override> overrides) {
    List<Override> ordered = List.copyOf(overrides);
    return db.rowsUpdated(
            """
            INSERT INTO config_overrides (instance_uid, envelope_id, set_by)
            SELECT DISTINCT ON (o.uid) o.uid, o.envelope, o.actor
            FROM unnest($1::text[], $2::text[]::uuid[], $3::text[]) WITH ORDINALITY
                 AS o(uid, envelope, actor, position)
            ORDER BY o.uid, o.position DESC
            ON CONFLICT (instance_uid) DO UPDATE
              SET envelope_id = EXCLUDED.envelope_id, set_by = EXCLUDED.set_by, set_at = now()
            """,
            statement ->
                statement
                    .bind(0, ordered.stream().map(Override::instanceUid).toArray(String[]::new))
                    .bind(
                        1,
                        ordered.stream()
                            .map(o -> Objects.toString(o.envelope(), null))
                            .toArray(String[]::new))
                    .bind(2, ordered.stream().map(Override::actor).toArray(String[]::new)))
        .map(written -> ordered.stream().collect(Collectors.toMap(Function.identity(), o -> true)))
        .toFuture();
  }
}
