package io.switchboard.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.ConfigFactory;
import io.switchboard.api.http.Json;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.stores.Stores;
import io.switchboard.testkit.TestDatabase;
import io.switchboard.testkit.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The first admin is made once per database, by one of the nodes starting on it. */
class FirstAdminTest {

  @Test
  void ofNodesStartingTogetherExactlyOneMakesTheAdminAndWritesItsPassword() throws Exception {
    AuthSettings settings =
        AuthSettings.fromConfig(
            ConfigFactory.parseMap(Map.of("switchboard.api.auth.enabled", true))
                .withFallback(ConfigFactory.load())
                .getConfig("switchboard"));
    ExecutorService blocking = Executors.newFixedThreadPool(4);
    try (TestDatabase db = TestDatabase.start();
        Database database = Database.small(db.url())) {
      Stores stores = Stores.on(database);
      List<Path> dataDirs = IntStream.range(0, 4).mapToObj(i -> TestNodes.newDataDir()).toList();
      List<CompletableFuture<Boolean>> starts =
          dataDirs.stream()
              .map(
                  dir ->
                      OperatorAccess.create(
                              stores.operators(),
                              stores.sessions(),
                              stores.tokens(),
                              settings,
                              blocking,
                              Json.mapper())
                          .ensureFirstAdmin(dir)
                          .toCompletableFuture())
              .toList();
      CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

      assertEquals(1, starts.stream().filter(CompletableFuture::join).count());
      List<Path> files =
          dataDirs.stream()
              .map(dir -> dir.resolve("admin-password"))
              .filter(Files::exists)
              .toList();
      assertEquals(1, files.size(), "only the node that made the admin writes its password");
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0))));
      assertEquals(
          "1",
          db.queryForString(
              "SELECT count(*) FROM audit_events WHERE action = 'operator.create'"
                  + " AND target = 'operator/admin'"));

      // Deleting every account later makes no new admin: that happens once per database.
      db.execute("DELETE FROM operators");
      Path later = TestNodes.newDataDir();
      assertFalse(
          OperatorAccess.create(
                  stores.operators(),
                  stores.sessions(),
                  stores.tokens(),
                  settings,
                  blocking,
                  Json.mapper())
              .ensureFirstAdmin(later)
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS));
      assertFalse(Files.exists(later.resolve("admin-password")));
    } finally {
      blocking.shutdownNow();
    }
  }
}
