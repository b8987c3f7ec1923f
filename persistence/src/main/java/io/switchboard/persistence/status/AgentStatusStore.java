package io.switchboard.persistence.status;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Statement;
import io.switchboard.persistence.RowIsolation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes agent status rows to the {@code agents} table: a whole batch in one {@code unnest} upsert
 * (one round trip, where R2DBC's {@code Statement.add()} would make one per row).
 */
public final class AgentStatusStore {

  /**
   * JSON parts are bound as text and cast, since R2DBC cannot bind a JSON array. A NULL part keeps
   * the stored value, and so does a principal once stored (an operator's reset clears it). The
   * WHERE clause drops writes older than what is stored, which can happen when an agent's entity
   * moved between nodes and the old node's writer flushes late. Notable statuses that were written
   * also get a history row; the statement answers how many agents were written.
   */
  private static final String UPSERT =
      """
      WITH incoming AS (
        SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::text[]::timestamptz[], $5::int8[],
                             $6::text[], $7::int8[], $8::text[]::jsonb[], $9::text[]::jsonb[], $10::text[]::jsonb[],
                             $11::text[]::jsonb[], $12::text[]::jsonb[], $13::text[]::jsonb[], $14::text[]::jsonb[],
                             $15::bool[], $16::text[]::timestamptz[], $17::text[], $18::text[]::jsonb[], $19::text[]::jsonb[],
                             $20::text[]::jsonb[])
          AS i(instance_uid, state_version, connection_state, last_seen, sequence_num, owner_node, session_epoch,
               capabilities, description, health, effective_config, remote_config_status, custom_capabilities,
               custom_messages, notable, produced_at, principal, available_components, package_statuses,
               connection_settings_status)
      ), written AS (
        INSERT INTO agents AS stored (instance_uid, state_version, connection_state, last_seen, sequence_num,
                                      owner_node, session_epoch, capabilities, description, health,
                                      effective_config, remote_config_status, custom_capabilities,
                                      custom_messages, principal, available_components, package_statuses,
                                      connection_settings_status)
        SELECT instance_uid, state_version, connection_state, last_seen, sequence_num, owner_node, session_epoch,
               capabilities, description, health, effective_config, remote_config_status, custom_capabilities,
               custom_messages, principal, available_components, package_statuses, connection_settings_status
        FROM incoming
        ON CONFLICT (instance_uid) DO UPDATE SET
          state_version        = EXCLUDED.state_version,
          connection_state     = EXCLUDED.connection_state,
          last_seen            = EXCLUDED.last_seen,
          sequence_num         = EXCLUDED.sequence_num,
          owner_node           = EXCLUDED.owner_node,
          session_epoch        = EXCLUDED.session_epoch,
          capabilities         = COALESCE(EXCLUDED.capabilities, stored.capabilities),
          description          = COALESCE(EXCLUDED.description, stored.description),
          health               = COALESCE(EXCLUDED.health, stored.health),
          effective_config     = COALESCE(EXCLUDED.effective_config, stored.effective_config),
          remote_config_status = COALESCE(EXCLUDED.remote_config_status, stored.remote_config_status),
          custom_capabilities  = COALESCE(EXCLUDED.custom_capabilities, stored.custom_capabilities),
          custom_messages      = COALESCE(EXCLUDED.custom_messages, stored.custom_messages),
          principal            = COALESCE(stored.principal, EXCLUDED.principal),
          available_components = COALESCE(EXCLUDED.available_components, stored.available_components),
          package_statuses     = COALESCE(EXCLUDED.package_statuses, stored.package_statuses),
          connection_settings_status = COALESCE(EXCLUDED.connection_settings_status,
                                                stored.connection_settings_status),
          updated_at           = now()
        WHERE stored.state_version < EXCLUDED.state_version
        RETURNING instance_uid
      ), history AS (
        INSERT INTO agent_status_history (instance_uid, recorded_at, state_version, connection_state, owner_node,
                                          session_epoch, capabilities, description, health, effective_config,
                                          remote_config_status, custom_capabilities)
        SELECT i.instance_uid, i.produced_at, i.state_version, i.connection_state, i.owner_node, i.session_epoch,
               i.capabilities, i.description, i.health, i.effective_config, i.remote_config_status,
               i.custom_capabilities
        FROM incoming i JOIN written w USING (instance_uid)
        WHERE i.notable
      )
      SELECT count(*) FROM written
      """;

  private final ConnectionPool pool;

  public AgentStatusStore(ConnectionPool pool) {
    this.pool = pool;
  }

  /**
   * What a write came to: the agents written (rows refused by the stale-write guard are not
   * counted), and the statuses the database refused. A refused status was written again without its
   * reported parts (so the agent's connection state and last-seen time still land, and its stored
   * description, health and config stay the last storable ones).
   */
  public record Upserted(long written, List<Refused> refused) {}

  /**
   * A status the database refused, and why; its liveness alone was written instead ({@code
   * livenessWritten} is false only when a newer status of the agent was stored already).
   */
  public record Refused(
      AgentStatus status, RowIsolation.Reason reason, String detail, boolean livenessWritten) {}

  /**
   * Upserts the batch (and its history rows) in one statement. Where the database refuses the batch
   * for one agent's data, the refused rows are isolated (see {@link RowIsolation}) and everyone
   * else's are written; only a failure that is not about the data (the database unreachable) fails
   * the returned stage. Instance uids must be unique within the batch; a batch with a duplicate
   * fails with an {@link IllegalArgumentException}.
   */
  public CompletionStage<Upserted> upsert(Collection<AgentStatus> batch) {
    if (batch.isEmpty()) {
      return CompletableFuture.completedFuture(new Upserted(0, List.of()));
    }
    Set<String> uids = new HashSet<>();
    for (AgentStatus status : batch) {
      if (!uids.add(status.instanceUid())) {
        // PostgreSQL would refuse the whole statement ("cannot affect row a second time"); name the
        // culprit.
        return CompletableFuture.failedFuture(
            new IllegalArgumentException(
                "agent " + status.instanceUid() + " appears twice in one status batch"));
      }
    }
    return RowIsolation.write(List.copyOf(batch), this::statement)
        .thenCompose(
            outcome -> {
              long written = outcome.answers().stream().mapToLong(Long::longValue).sum();
              CompletionStage<List<Refused>> refused =
                  CompletableFuture.completedFuture(new ArrayList<>());
              for (RowIsolation.Rejected<AgentStatus> rejected : outcome.rejected()) {
                refused =
                    refused.thenCompose(
                        soFar -> livenessOnly(rejected).thenApply(one -> add(soFar, one)));
              }
              return refused.thenApply(
                  all ->
                      new Upserted(
                          written + all.stream().filter(Refused::livenessWritten).count(), all));
            });
  }

  /**
   * Writes a refused status again without what the agent reported. Liveness holds nothing an agent
   * chose, so if the database refuses that too, the fault is not the agent's (a constraint or a
   * schema that refuses every row): the write fails as a whole, to be retried, and counts against
   * readiness.
   */
  private CompletionStage<Refused> livenessOnly(RowIsolation.Rejected<AgentStatus> rejected) {
    return statement(List.of(rejected.row().withoutReports()))
        .handle(
            (written, failure) -> {
              if (failure != null) {
                throw new CompletionException(
                    "the database refuses even agent "
                        + rejected.row().instanceUid()
                        + "'s liveness",
                    failure);
              }
              return new Refused(rejected.row(), rejected.reason(), rejected.detail(), written > 0);
            });
  }

  private static List<Refused> add(List<Refused> list, Refused one) {
    list.add(one);
    return list;
  }

  /** The one statement for a batch: the agents written. */
  private CompletionStage<Long> statement(List<AgentStatus> batch) {
    return Mono.usingWhen(
            pool.create(),
            connection -> {
              Statement upsert =
                  connection
                      .createStatement(UPSERT)
                      .bind(0, strings(batch, AgentStatus::instanceUid))
                      .bind(1, longs(batch, AgentStatus::stateVersion))
                      .bind(2, strings(batch, status -> status.connectionState().name()))
                      .bind(3, strings(batch, status -> status.lastSeen().toString()))
                      .bind(4, longs(batch, AgentStatus::sequenceNum))
                      .bind(5, strings(batch, AgentStatus::ownerNode))
                      .bind(6, longs(batch, AgentStatus::sessionEpoch))
                      .bind(7, strings(batch, AgentStatus::capabilitiesJson))
                      .bind(8, strings(batch, AgentStatus::descriptionJson))
                      .bind(9, strings(batch, AgentStatus::healthJson))
                      .bind(10, strings(batch, AgentStatus::effectiveConfigJson))
                      .bind(11, strings(batch, AgentStatus::remoteConfigStatusJson))
                      .bind(12, strings(batch, AgentStatus::customCapabilitiesJson))
                      .bind(13, strings(batch, AgentStatus::customMessagesJson))
                      .bind(14, batch.stream().map(AgentStatus::notable).toArray(Boolean[]::new))
                      .bind(15, strings(batch, status -> status.producedAt().toString()))
                      .bind(16, strings(batch, AgentStatus::principal))
                      .bind(17, strings(batch, AgentStatus::availableComponentsJson))
                      .bind(18, strings(batch, AgentStatus::packageStatusesJson))
                      .bind(19, strings(batch, AgentStatus::connectionSettingsStatusJson));
              return Flux.from(upsert.execute())
                  .flatMap(result -> result.map(row -> row.get(0, Long.class)))
                  .reduce(0L, Long::sum);
            },
            connection -> connection.close())
        .toFuture();
  }

  private static String[] strings(List<AgentStatus> batch, Function<AgentStatus, String> column) {
    return batch.stream().map(column).toArray(String[]::new);
  }

  private static Long[] longs(List<AgentStatus> batch, ToLongFunction<AgentStatus> column) {
    return batch.stream().map(status -> column.applyAsLong(status)).toArray(Long[]::new);
  }
}
