package io.switchboard.api.auth;

import io.switchboard.persistence.operators.OperatorStore;
import io.switchboard.persistence.operators.SessionStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first admin, made once per cluster: of the nodes that start on an empty database, the one
 * whose insert wins makes it (and, without a configured password, writes the generated one to
 * {@code <data-dir>/admin-password}, a file created readable by the node's user only); the others
 * write no file and log nothing about it.
 */
public final class FirstAdmin {

  static final String PASSWORD_FILE = "admin-password";
  private static final Logger log = LoggerFactory.getLogger(FirstAdmin.class);

  private FirstAdmin() {}

  public static CompletionStage<Boolean> ensure(
      OperatorStore operators, PasswordHasher hasher, AuthSettings settings, Path dataDir) {
    if (!settings.enabled()) {
      return CompletableFuture.completedFuture(false);
    }
    String password = settings.adminPassword().orElseGet(Passwords::randomToken);
    return hasher
        .hash(password)
        .thenCompose(hash -> operators.createFirstAdmin(settings.adminUser(), hash))
        .thenApply(
            created -> {
              if (created) {
                if (settings.adminPassword().isEmpty()) {
                  Path file = writeSecret(dataDir.resolve(PASSWORD_FILE), password);
                  log.warn(
                      "Created the first admin account '{}'; no admin password was configured, so"
                          + " a generated one is in {}",
                      settings.adminUser(),
                      file.toAbsolutePath());
                } else {
                  log.info("Created the first admin account '{}'", settings.adminUser());
                }
              }
              return created;
            });
  }

  /**
   * Resets an operator's password from a node's command line (a lost admin password): a generated
   * one, written to {@code <data-dir>/admin-password} (mode 600); the account is enabled again and
   * its sessions end. False for an unknown or single sign-on account.
   */
  public static CompletionStage<Boolean> resetPassword(
      OperatorStore operators,
      SessionStore sessions,
      String username,
      Path dataDir,
      java.util.concurrent.Executor blocking) {
    String password = Passwords.randomToken();
    return new PasswordHasher(blocking)
        .hash(password)
        .thenCompose(hash -> operators.setPassword(username, hash, "command line"))
        .thenCompose(
            set -> {
              if (!set) {
                return CompletableFuture.completedFuture(false);
              }
              writeSecret(dataDir.resolve(PASSWORD_FILE), password);
              return operators
                  .update(
                      username,
                      java.util.Optional.empty(),
                      java.util.Optional.of(false),
                      "command line")
                  .thenCompose(enabled -> sessions.endAll(username, "command line"))
                  .thenApply(ended -> true);
            });
  }

  /**
   * Writes a secret into a new file created with mode 600 (never readable by others, not even for a
   * moment); an older file there is replaced.
   */
  public static Path writeSecret(Path file, String secret) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.deleteIfExists(file);
      try (SeekableByteChannel channel =
          Files.newByteChannel(
              file,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        channel.write(ByteBuffer.wrap((secret + "\n").getBytes(StandardCharsets.UTF_8)));
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }
}
