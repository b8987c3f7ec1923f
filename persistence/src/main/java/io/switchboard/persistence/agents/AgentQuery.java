package io.switchboard.persistence.agents;

import io.switchboard.persistence.status.ConnectionState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One page of a filtered agent list: filters combine with AND; pages are keyset-paginated (the
 * cursor is the last row's sort key), so a deep page costs the same as the first.
 *
 * @param selector attributes and labels the agents must have
 * @param after the sort key of the last agent of the previous page, empty for the first page
 */
public record AgentQuery(
    Optional<ConnectionState> connectionState,
    Optional<Boolean> healthy,
    Selector selector,
    Optional<String> remoteConfigStatus,
    Sort sort,
    Optional<Cursor> after,
    int limit) {

  /** Orders that an index serves, so paging never sorts the table. */
  public enum Sort {
    /** By instance_uid, ascending (the default). */
    INSTANCE_UID,
    /** Newest agents first: by first_seen, descending. */
    NEWEST
  }

  /** The sort key of a row: its first_seen (for {@link Sort#NEWEST}) and instance_uid. */
  public record Cursor(Instant firstSeen, String instanceUid) {}

  public static AgentQuery firstPage(int limit) {
    return new AgentQuery(
        Optional.empty(),
        Optional.empty(),
        Selector.ANY,
        Optional.empty(),
        Sort.INSTANCE_UID,
        Optional.empty(),
        limit);
  }

  /**
   * The SQL WHERE/ORDER BY/LIMIT after {@code FROM agents}, with its parameters in order (public
   * for the query benchmark, which explains each shape's plan).
   */
  public Sql toSql() {
    List<String> conditions = new ArrayList<>();
    List<Object> parameters = new ArrayList<>();
    connectionState.ifPresent(
        state -> conditions.add("connection_state = " + bind(parameters, state.name())));
    healthy.ifPresent(
        value -> conditions.add("(health->>'healthy')::boolean = " + bind(parameters, value)));
    selector.addConditions(conditions, parameters);
    remoteConfigStatus.ifPresent(
        status -> conditions.add("remote_config_status->>'status' = " + bind(parameters, status)));
    after.ifPresent(
        cursor -> {
          if (sort == Sort.NEWEST) {
            conditions.add(
                "(first_seen, instance_uid) < ("
                    + bind(parameters, cursor.firstSeen().toString())
                    + "::timestamptz, "
                    + bind(parameters, cursor.instanceUid())
                    + ")");
          } else {
            conditions.add("instance_uid > " + bind(parameters, cursor.instanceUid()));
          }
        });
    String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    String order =
        sort == Sort.NEWEST
            ? " ORDER BY first_seen DESC, instance_uid DESC"
            : " ORDER BY instance_uid";
    return new Sql(where + order + " LIMIT " + bind(parameters, limit), parameters);
  }

  public record Sql(String text, List<Object> parameters) {}

  private static String bind(List<Object> parameters, Object value) {
    parameters.add(value);
    return "$" + parameters.size();
  }
}
