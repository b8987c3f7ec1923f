package io.switchboard.persistence.components;

import io.r2dbc.pool.ConnectionPool;
import io.switchboard.persistence.Sql;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The components agents report they can run ({@code agents.available_components}): how many agents
 * have each, and which agents lack some a configuration needs. A component is named {@code
 * kind/type} ({@code exporters/kafka}): the top-level entry of the agent's list, then one of its
 * sub-components.
 */
public final class ComponentStore {

  /** One component type across the fleet: how many agents reported it. */
  public record ComponentCount(String kind, String type, long agents) {}

  /** One agent lacking components, named {@code kind/type}. */
  public record AgentMissing(String instanceUid, List<String> missing) {}

  /** The first agents lacking components (up to the limit asked for), and how many do in all. */
  public record Missing(List<AgentMissing> agents, long total) {}

  private final Sql db;

  public ComponentStore(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  /** Every component type any agent reported, with how many agents have it; by kind, then type. */
  public CompletionStage<List<ComponentCount>> fleetCounts() {
    return db.rows(
            """
            SELECT kind.key, type.key, count(*)
            FROM agents a,
                 jsonb_each(a.available_components->'components') AS kind,
                 jsonb_each(coalesce(kind.value->'sub_components', '{}'::jsonb)) AS type
            WHERE jsonb_typeof(a.available_components->'components') = 'object'
            GROUP BY kind.key, type.key
            ORDER BY kind.key, type.key
            """,
            statement -> {},
            row ->
                new ComponentCount(
                    row.get(0, String.class), row.get(1, String.class), row.get(2, Long.class)))
        .collectList()
        .toFuture();
  }

  /**
   * Of the given agents, those that reported a component list lacking some of {@code required}
   * ({@code kind/type} each), in instance_uid order, at most {@code limit}; with how many in all.
   * Agents that never reported a list are not among them: nothing is known of what they can run.
   * One statement, whatever the number of agents.
   */
  public CompletionStage<Missing> missing(
      Collection<String> instanceUids, Collection<String> required, int limit) {
    if (instanceUids.isEmpty() || required.isEmpty()) {
      return CompletableFuture.completedFuture(new Missing(List.of(), 0));
    }
    return db.rows(
            """
            WITH required AS (
              SELECT component, split_part(component, '/', 1) AS kind,
                     substr(component, strpos(component, '/') + 1) AS type
              FROM unnest($2::text[]) AS component
            ), lacking AS (
              SELECT a.instance_uid, array_agg(r.component ORDER BY r.component) AS missing
              FROM agents a CROSS JOIN required r
              WHERE a.instance_uid = ANY($1::text[])
                AND jsonb_typeof(a.available_components->'components') = 'object'
                AND NOT coalesce(jsonb_exists(a.available_components->'components'->r.kind->'sub_components', r.type), false)
              GROUP BY a.instance_uid
            )
            SELECT instance_uid, missing, count(*) OVER () FROM lacking ORDER BY instance_uid LIMIT $3
            """,
            statement ->
                statement
                    .bind(0, instanceUids.toArray(String[]::new))
                    .bind(1, required.toArray(String[]::new))
                    .bind(2, limit),
            row ->
                new Object[] {
                  new AgentMissing(
                      row.get(0, String.class), Arrays.asList(row.get(1, String[].class))),
                  row.get(2, Long.class)
                })
        .collectList()
        .map(
            rows ->
                new Missing(
                    rows.stream().map(r -> (AgentMissing) r[0]).toList(),
                    rows.isEmpty() ? 0 : (Long) rows.get(0)[1]))
        .toFuture();
  }
}
