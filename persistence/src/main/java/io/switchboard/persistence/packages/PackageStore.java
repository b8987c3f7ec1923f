package io.switchboard.persistence.packages;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Readable;
import io.switchboard.persistence.Sql;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Packages and their content. Content is kept in rows of {@link #CHUNK_BYTES} (the last one
 * shorter), so an upload writes and a download reads one chunk at a time, and a ranged download
 * starts at the chunk that holds its first byte; or, with a directory configured, in one file per
 * package there ({@link PackageFiles}), written and read at the same chunk offsets.
 */
public final class PackageStore {

  /** The size of every chunk but a package's last. */
  public static final int CHUNK_BYTES = 256 * 1024;

  private static final String COLUMNS =
      "name, version, type, download_url, content_hash, signature, size, created_at, created_by";

  private final Sql db;

  /** Where content is kept instead of package_chunks; null: in PostgreSQL. */
  private final PackageFiles files;

  public PackageStore(ConnectionPool pool) {
    this(pool, null);
  }

  /** With {@code directory} (null: none), content is kept in files there, not in PostgreSQL. */
  public PackageStore(ConnectionPool pool, Path directory) {
    this.db = new Sql(pool);
    this.files = directory == null ? null : new PackageFiles(directory);
  }

  /** Stores a new package with its audit event; false when that name and version exist. */
  public CompletionStage<Boolean> create(Package pkg) {
    return db.rows(
            """
            WITH created AS (
              INSERT INTO packages (name, version, type, download_url, content_hash, signature, created_by)
              VALUES ($1, $2, $3, $4, $5, $6, $7)
              ON CONFLICT DO NOTHING RETURNING *
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, after)
              SELECT created_by, 'package.create', 'package/' || name || '/' || version,
                     jsonb_build_object('type', type, 'download_url', download_url,
                                        'content_hash', encode(content_hash, 'hex'))
              FROM created
            )
            SELECT count(*) FROM created
            """,
            statement -> {
              statement.bind(0, pkg.name()).bind(1, pkg.version()).bind(2, pkg.type());
              Sql.bindNullable(statement, 3, pkg.downloadUrl(), String.class);
              statement.bind(4, ByteBuffer.wrap(pkg.contentHash()));
              Sql.bindNullable(
                  statement,
                  5,
                  pkg.signature() == null ? null : ByteBuffer.wrap(pkg.signature()),
                  ByteBuffer.class);
              statement.bind(6, pkg.createdBy());
            },
            row -> row.get(0, Long.class))
        .single()
        .map(created -> created > 0)
        .toFuture();
  }

  public CompletionStage<Optional<Package>> find(String name, String version) {
    return db.rows(
            "SELECT " + COLUMNS + " FROM packages WHERE name = $1 AND version = $2",
            statement -> statement.bind(0, name).bind(1, version),
            PackageStore::toPackage)
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  /** By name, then version. */
  public CompletionStage<List<Package>> list(int limit) {
    return db.rows(
            "SELECT " + COLUMNS + " FROM packages ORDER BY name, version LIMIT $1",
            statement -> statement.bind(0, limit),
            PackageStore::toPackage)
        .collectList()
        .toFuture();
  }

  /** Deletes the package and its content, with its audit event; false when there was none. */
  public CompletionStage<Boolean> delete(String name, String version, String actor) {
    return db.rows(
            """
            WITH deleted AS (
              DELETE FROM packages WHERE name = $1 AND version = $2 RETURNING name, version
            ), audited AS (
              INSERT INTO audit_events (actor, action, target)
              SELECT $3, 'package.delete', 'package/' || name || '/' || version FROM deleted
            )
            SELECT count(*) FROM deleted
            """,
            statement -> statement.bind(0, name).bind(1, version).bind(2, actor),
            row -> row.get(0, Long.class))
        .single()
        .map(deleted -> deleted > 0)
        .toFuture()
        .thenCompose(
            deleted ->
                deleted && files != null
                    ? files.delete(name, version).thenApply(removed -> true)
                    : CompletableFuture.completedFuture(deleted));
  }

  /** Drops whatever an unfinished or refused upload left. */
  public CompletionStage<Long> dropContent(String name, String version) {
    if (files != null) {
      return files.delete(name, version);
    }
    return db.rowsUpdated(
            "DELETE FROM package_chunks WHERE name = $1 AND version = $2",
            statement -> statement.bind(0, name).bind(1, version))
        .toFuture();
  }

  /** Writes one chunk of an upload (replacing one a failed upload left at that place). */
  public CompletionStage<Long> writeChunk(String name, String version, int seq, ByteBuffer data) {
    if (files != null) {
      return files.write(name, version, seq, data);
    }
    return db.rowsUpdated(
            """
            INSERT INTO package_chunks (name, version, seq, data) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name, version, seq) DO UPDATE SET data = EXCLUDED.data
            """,
            statement -> statement.bind(0, name).bind(1, version).bind(2, seq).bind(3, data))
        .toFuture();
  }

  /**
   * The upload is complete: its size is recorded (so agents may fetch it), with its audit event;
   * false when the package has content already or is gone.
   */
  public CompletionStage<Boolean> completeUpload(
      String name, String version, long size, String actor) {
    return db.rows(
            """
            WITH completed AS (
              UPDATE packages SET size = $3 WHERE name = $1 AND version = $2 AND size IS NULL
              RETURNING name, version
            ), audited AS (
              INSERT INTO audit_events (actor, action, target, after)
              SELECT $4, 'package.upload', 'package/' || name || '/' || version,
                     jsonb_build_object('size', $3::bigint)
              FROM completed
            )
            SELECT count(*) FROM completed
            """,
            statement -> statement.bind(0, name).bind(1, version).bind(2, size).bind(3, actor),
            row -> row.get(0, Long.class))
        .single()
        .map(completed -> completed > 0)
        .toFuture();
  }

  /** One chunk of a package's content; empty past its end. */
  public CompletionStage<Optional<byte[]>> chunk(String name, String version, int seq) {
    if (files != null) {
      return files.read(name, version, seq);
    }
    return db.rows(
            "SELECT data FROM package_chunks WHERE name = $1 AND version = $2 AND seq = $3",
            statement -> statement.bind(0, name).bind(1, version).bind(2, seq),
            row -> Sql.bytes(row.get(0, ByteBuffer.class)))
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .toFuture();
  }

  private static Package toPackage(Readable row) {
    return new Package(
        row.get(0, String.class),
        row.get(1, String.class),
        row.get(2, String.class),
        row.get(3, String.class),
        Sql.bytes(row.get(4, ByteBuffer.class)),
        Sql.bytes(row.get(5, ByteBuffer.class)),
        row.get(6, Long.class),
        Sql.instant(row, 7),
        row.get(8, String.class));
  }
}
