package io.switchboard.node;

import com.typesafe.config.Config;
import io.switchboard.api.auth.FirstAdmin;
import io.switchboard.persistence.DatabaseRuntime;
import io.switchboard.persistence.DatabaseSettings;
import io.switchboard.persistence.stores.Stores;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code Main reset-password [username]}: a new generated password for an operator (the configured
 * first admin by default), written to {@code <data-dir>/admin-password}, for when an admin's
 * password is lost. It talks to the node's database directly, with the node's settings; with the
 * embedded database, run it while the node is stopped.
 */
final class ResetPassword {

  private ResetPassword() {}

  /** True when the password was reset; the file it went to is {@code <data-dir>/admin-password}. */
  static boolean run(Config config, String username) throws Exception {
    Config switchboard = config.getConfig("switchboard");
    Path dataDir = Path.of(switchboard.getString("data-dir"));
    ExecutorService hashing = Executors.newSingleThreadExecutor();
    try (DatabaseRuntime database =
        DatabaseRuntime.start(DatabaseSettings.fromConfig(switchboard))) {
      Stores stores = Stores.on(database.database());
      return FirstAdmin.resetPassword(
              stores.operators(), stores.sessions(), username, dataDir, hashing)
          .toCompletableFuture()
          .get(2, TimeUnit.MINUTES);
    } finally {
      hashing.shutdownNow();
    }
  }
}
