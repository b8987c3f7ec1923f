package io.switchboard.node;

import com.typesafe.config.Config;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.DatabaseCopy;
import io.switchboard.persistence.DatabaseEndpoint;
import io.switchboard.persistence.DatabaseSettings;
import io.switchboard.persistence.EmbeddedDatabase;
import java.util.Map;

/**
 * Moves a stopped node's embedded database to an external PostgreSQL. Run it with the node's
 * configuration (its data directory) and the target URL; afterwards start the node with
 * SWITCHBOARD_DATABASE_URL set to that URL. The embedded data stays where it was, untouched.
 */
public final class MoveToExternalDatabase {

  private MoveToExternalDatabase() {}

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println(
          "usage: MoveToExternalDatabase postgresql://user:password@host:port/database");
      System.exit(2);
    }
    Map<String, Long> copied = move(NodeConfig.load(), args[0]);
    copied.forEach((table, rows) -> System.out.println(table + ": " + rows + " rows copied"));
    System.out.println("Done. Start the node with SWITCHBOARD_DATABASE_URL=" + redacted(args[0]));
  }

  /** Copies everything from the embedded database under the configured data directory. */
  public static Map<String, Long> move(Config config, String targetUrl) {
    DatabaseSettings settings = DatabaseSettings.fromConfig(config.getConfig("switchboard"));
    DatabaseEndpoint target =
        DatabaseEndpoint.parse(targetUrl, settings.user(), settings.password());
    // A running node holds the embedded database's lock: starting it here then fails, as it should.
    try (EmbeddedDatabase embedded =
        EmbeddedDatabase.start(settings.dataDir().resolve("postgres"), 0)) {
      Database.migrate(embedded.endpoint());
      return DatabaseCopy.copy(embedded.endpoint(), target);
    }
  }

  private static String redacted(String url) {
    return url.replaceAll("://([^:@/]*):[^@/]*@", "://$1:***@");
  }
}
