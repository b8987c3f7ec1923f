package io.switchboard.persistence;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Database settings, from {@code switchboard.database} (and {@code switchboard.data-dir}).
 *
 * @param url external database URL; empty for the embedded database
 * @param readUrl optional read-only URL (a replica) for list and query traffic; empty for none
 * @param user user overriding the URL's
 * @param password password overriding the URL's
 * @param poolInitial connections opened at start
 * @param poolMax most connections held
 * @param poolMaxIdle idle time after which a connection is closed
 * @param embeddedPort port of the embedded database, 0 for any free port
 * @param dataDir the node's data directory
 */
public record DatabaseSettings(
    String url,
    String readUrl,
    String user,
    String password,
    int poolInitial,
    int poolMax,
    Duration poolMaxIdle,
    int embeddedPort,
    Path dataDir) {

  public static DatabaseSettings fromConfig(Config switchboard) {
    Config database = switchboard.getConfig("database");
    return new DatabaseSettings(
        database.getString("url"),
        database.getString("read-url"),
        database.getString("user"),
        database.getString("password"),
        database.getInt("pool.initial-size"),
        database.getInt("pool.max-size"),
        database.getDuration("pool.max-idle-time"),
        database.getInt("embedded.port"),
        Path.of(switchboard.getString("data-dir")));
  }

  public boolean embedded() {
    return url.isBlank();
  }
}
