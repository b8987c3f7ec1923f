package io.switchboard.api.auth;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code switchboard.api.auth}: whether the API and dashboard require operators to sign in, the
 * first admin account, how long a session lasts, and whether its cookie is marked Secure.
 */
public record AuthSettings(
    boolean enabled,
    String adminUser,
    Optional<String> adminPassword,
    Duration sessionLifetime,
    boolean secureCookie) {

  public static AuthSettings fromConfig(Config switchboard) {
    Config auth = switchboard.getConfig("api.auth");
    String password = auth.getString("admin-password");
    return new AuthSettings(
        auth.getBoolean("enabled"),
        auth.getString("admin-user"),
        password.isEmpty() ? Optional.empty() : Optional.of(password),
        auth.getDuration("session-lifetime"),
        auth.getBoolean("secure-cookie"));
  }
}
