package io.switchboard.persistence.configurations;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import io.switchboard.persistence.Sql;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import reactor.core.publisher.Mono;

/**
 * Configurations and their versions. Every change writes its audit event in the same statement, and
 * only moves a version forward (draft to published to archived), so a published version can never
 * change under a rollout that uses it.
 */
public final class ConfigurationStore {

  private static final String VERSION_COLUMNS =
      "name, version, state, config_map::text, config_hash, created_at, created_by, published_at,"
          + " source_commit";

  /** How a change to a version turned out. */
  public enum Change {
    DONE,
    NO_SUCH_VERSION,
    NOT_ALLOWED
  }

  private final Sql db;

  public ConfigurationStore(ConnectionPool pool) {
    this.db = new Sql(pool);
  }

  /** False when a configuration with that name exists already. */
  public CompletionStage<Boolean> create(String name, String description, String actor) {
    return db.rows(
            """
            WITH created AS (
              INSERT INTO configurations (name, description, created_by) VALUES ($1, $2, $3)
              ON CONFLICT (name) DO NOTHING RETURNING name, description
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, after)
              SELECT $3, 'configuration.create', 'configuration/' || name, jsonb_build_object('description', description)
              FROM created
            )
            SELECT name FROM created
            """,
            statement -> statement.bind(0, name).bind(1, description).bind(2, actor),
            row -> row.get(0, String.class))
        .hasElements()
        .toFuture();
  }

  public CompletionStage<List<Configuration>> list() {
    return db.rows(
            "SELECT name FROM configurations ORDER BY name",
            statement -> {},
            row -> row.get(0, String.class))
        .concatMap(name -> Mono.fromCompletionStage(find(name)))
        .filter(Optional::isPresent)
        .map(Optional::get)
        .collectList()
        .toFuture();
  }

  public CompletionStage<Optional<Configuration>> find(String name) {
    return db.rows(
            """
            SELECT c.name, c.description, c.created_at, c.created_by, v.version, v.state, v.created_at, v.published_at
            FROM configurations c LEFT JOIN configuration_versions v ON v.name = c.name
            WHERE c.name = $1 ORDER BY v.version
            """,
            statement -> statement.bind(0, name),
            row ->
                new JoinedRow(
                    new Configuration(
                        row.get(0, String.class),
                        row.get(1, String.class),
                        Sql.instant(row, 2),
                        row.get(3, String.class),
                        List.of()),
                    row.get(4, Integer.class) == null
                        ? Optional.empty()
                        : Optional.of(
                            new Configuration.Summary(
                                row.get(4, Integer.class),
                                VersionState.valueOf(row.get(5, String.class)),
                                Sql.instant(row, 6),
                                Sql.instant(row, 7)))))
        .collectList()
        .map(
            rows -> {
              if (rows.isEmpty()) {
                return Optional.<Configuration>empty();
              }
              Configuration head = rows.get(0).configuration();
              List<Configuration.Summary> versions =
                  rows.stream().flatMap(row -> row.version().stream()).toList();
              return Optional.of(
                  new Configuration(
                      head.name(),
                      head.description(),
                      head.createdAt(),
                      head.createdBy(),
                      versions));
            })
        .toFuture();
  }

  /** A configuration joined with one of its versions (none for a configuration without any). */
  private record JoinedRow(Configuration configuration, Optional<Configuration.Summary> version) {}

  /** Adds the next version, as a draft; empty when there is no such configuration. */
  public CompletionStage<Optional<Integer>> addVersion(
      String name, String configMapJson, byte[] configHash, String actor) {
    return addVersion(name, configMapJson, configHash, null, actor);
  }

  /**
   * Adds the next version, as a draft, recording the commit of the file it came from ({@code
   * sourceCommit} may be null); empty when there is no such configuration.
   */
  public CompletionStage<Optional<Integer>> addVersion(
      String name, String configMapJson, byte[] configHash, String sourceCommit, String actor) {
    return db.rows(
            """
            WITH created AS (
              INSERT INTO configuration_versions (name, version, state, config_map, config_hash, created_by, source_commit)
              SELECT c.name, coalesce((SELECT max(version) FROM configuration_versions WHERE name = c.name), 0) + 1,
                     'DRAFT', $2::jsonb, $3, $4, $5
              FROM configurations c WHERE c.name = $1
              RETURNING name, version
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, after)
              SELECT $4, 'configuration.version.create', 'configuration/' || name || '/' || version,
                     CASE WHEN $5::text IS NULL THEN $2::jsonb
                          ELSE $2::jsonb || jsonb_build_object('source_commit', $5::text) END
              FROM created
            )
            SELECT version FROM created
            """,
            statement -> {
              statement
                  .bind(0, name)
                  .bind(1, configMapJson)
                  .bind(2, ByteBuffer.wrap(configHash))
                  .bind(3, actor);
              if (sourceCommit == null) {
                statement.bindNull(4, String.class);
              } else {
                statement.bind(4, sourceCommit);
              }
            },
            row -> row.get(0, Integer.class))
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  public CompletionStage<Optional<ConfigurationVersion>> findVersion(String name, int version) {
    return db.rows(
            "SELECT "
                + VERSION_COLUMNS
                + " FROM configuration_versions WHERE name = $1 AND version = $2",
            statement -> statement.bind(0, name).bind(1, version),
            ConfigurationStore::toVersion)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /**
   * The version agents ran before {@code version}: the newest earlier one that was published (it
   * may be archived since). Empty when there is none.
   */
  public CompletionStage<Optional<Integer>> previousPublished(String name, int version) {
    return db.rows(
            """
            SELECT max(version) FROM configuration_versions
            WHERE name = $1 AND version < $2 AND state IN ('PUBLISHED', 'ARCHIVED')
            """,
            statement -> statement.bind(0, name).bind(1, version),
            row -> Optional.ofNullable(row.get(0, Integer.class)))
        .single()
        .toFuture();
  }

  /** A draft's contents change; published and archived versions never do. */
  public CompletionStage<Change> replaceDraft(
      String name, int version, String configMapJson, byte[] configHash, String actor) {
    return change(
        name,
        version,
        """
        WITH changed AS (
          UPDATE configuration_versions SET config_map = $3::jsonb, config_hash = $4
          WHERE name = $1 AND version = $2 AND state = 'DRAFT' RETURNING name, version
        ), audited AS (
          INSERT INTO audit_events (actor, action, target, after)
          SELECT $5, 'configuration.version.edit', 'configuration/' || name || '/' || version, $3::jsonb FROM changed
        )
        SELECT count(*) FROM changed
        """,
        statement ->
            statement
                .bind(0, name)
                .bind(1, version)
                .bind(2, configMapJson)
                .bind(3, ByteBuffer.wrap(configHash))
                .bind(4, actor));
  }

  /** DRAFT becomes PUBLISHED (usable by rollouts), PUBLISHED becomes ARCHIVED; nothing else. */
  public CompletionStage<Change> advance(String name, int version, VersionState to, String actor) {
    VersionState from =
        switch (to) {
          case PUBLISHED -> VersionState.DRAFT;
          case ARCHIVED -> VersionState.PUBLISHED;
          case DRAFT -> throw new IllegalArgumentException("nothing goes back to DRAFT");
        };
    return change(
        name,
        version,
        """
        WITH changed AS (
          UPDATE configuration_versions
          SET state = $4, published_at = CASE WHEN $4 = 'PUBLISHED' THEN now() ELSE published_at END
          WHERE name = $1 AND version = $2 AND state = $3 RETURNING name, version
        ), audited AS (
          INSERT INTO audit_events (actor, action, target, before, after)
          SELECT $5, 'configuration.version.' || lower($4), 'configuration/' || name || '/' || version,
                 jsonb_build_object('state', $3::text), jsonb_build_object('state', $4::text)
          FROM changed
        )
        SELECT count(*) FROM changed
        """,
        statement ->
            statement
                .bind(0, name)
                .bind(1, version)
                .bind(2, from.name())
                .bind(3, to.name())
                .bind(4, actor));
  }

  private CompletionStage<Change> change(
      String name, int version, String sql, Consumer<Statement> binder) {
    return db.rows(sql, binder, row -> row.get(0, Long.class))
        .next()
        .flatMap(
            changed ->
                changed > 0
                    ? Mono.just(Change.DONE)
                    : Mono.fromCompletionStage(findVersion(name, version))
                        .map(
                            found ->
                                found.isPresent() ? Change.NOT_ALLOWED : Change.NO_SUCH_VERSION))
        .toFuture();
  }

  private static ConfigurationVersion toVersion(Readable row) {
    return new ConfigurationVersion(
        row.get(0, String.class),
        row.get(1, Integer.class),
        VersionState.valueOf(row.get(2, String.class)),
        row.get(3, String.class),
        Sql.bytes(row.get(4, ByteBuffer.class)),
        Sql.instant(row, 5),
        row.get(6, String.class),
        Sql.instant(row, 7),
        row.get(8, String.class));
  }
}
