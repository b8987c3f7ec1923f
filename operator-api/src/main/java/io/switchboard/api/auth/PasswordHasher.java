package io.switchboard.api.auth;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Runs the deliberately slow password hashing on an executor of its own (a small dispatcher, {@code
 * switchboard.api.auth.hashing-dispatcher}), so that a burst of sign-ins never takes the threads
 * that serve agents or the API's other routes.
 */
public final class PasswordHasher {

  private final Executor executor;

  /** Hashed once, so that an unknown user costs a sign-in as much as a wrong password does. */
  private final CompletableFuture<String> decoy;

  public PasswordHasher(Executor executor) {
    this.executor = executor;
    this.decoy =
        CompletableFuture.supplyAsync(() -> Passwords.hash(Passwords.randomToken()), executor);
  }

  public CompletionStage<String> hash(String password) {
    return CompletableFuture.supplyAsync(() -> Passwords.hash(password), executor);
  }

  /** Checks a password; with no stored hash, against a decoy, so the answer takes as long. */
  public CompletionStage<Boolean> matches(String password, Optional<String> stored) {
    return decoy.thenApplyAsync(
        decoyHash -> {
          if (stored.isPresent()) {
            return Passwords.matches(password, stored.get());
          }
          Passwords.matches(password, decoyHash);
          return false;
        },
        executor);
  }
}
