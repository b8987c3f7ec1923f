package io.switchboard.persistence;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database a node runs with: the configured external PostgreSQL, or, when none is configured,
 * an embedded one under the node's data directory that lives and dies with the node.
 */
public final class DatabaseRuntime implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DatabaseRuntime.class);

  private final EmbeddedDatabase embedded;
  private final Database database;

  private DatabaseRuntime(EmbeddedDatabase embedded, Database database) {
    this.embedded = embedded;
    this.database = database;
  }

  public static DatabaseRuntime start(DatabaseSettings settings) {
    if (!settings.embedded()) {
      DatabaseEndpoint endpoint =
          DatabaseEndpoint.parse(settings.url(), settings.user(), settings.password());
      if (settings.readUrl().isBlank()) {
        log.info("Using PostgreSQL at {}", endpoint);
        return new DatabaseRuntime(null, Database.open(endpoint, settings));
      }
      DatabaseEndpoint replica =
          DatabaseEndpoint.parse(settings.readUrl(), settings.user(), settings.password());
      log.info("Using PostgreSQL at {}, with queries on {}", endpoint, replica);
      return new DatabaseRuntime(null, Database.open(endpoint, replica, settings));
    }
    EmbeddedDatabase embedded =
        EmbeddedDatabase.start(settings.dataDir().resolve("postgres"), settings.embeddedPort());
    try {
      log.info(
          "Started embedded PostgreSQL at {} with data in {}",
          embedded.endpoint(),
          settings.dataDir().resolve("postgres").toAbsolutePath());
      return new DatabaseRuntime(embedded, Database.open(embedded.endpoint(), settings));
    } catch (RuntimeException e) {
      embedded.close();
      throw e;
    }
  }

  public Database database() {
    return database;
  }

  @Override
  public void close() {
    database.close();
    if (embedded != null) {
      embedded.close();
    }
  }
}
