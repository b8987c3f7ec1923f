package io.switchboard.api.auth;

import com.typesafe.config.Config;
import io.switchboard.api.auth.oidc.OidcSettings;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code switchboard.api.auth}: whether the API and dashboard require operators to sign in, the
 * first admin account, sessions, local accounts beside single sign-on, API tokens and sign-in
 * throttling.
 *
 * @param enabled operators must sign in; off only on a trusted network
 * @param allowRemoteWithoutSignIn with sign-in off, bind the API where configured instead of to
 *     loopback only
 * @param adminUser the first admin's name
 * @param adminPassword the first admin's password; generated into the data directory when empty
 * @param sessionLifetime how long a signed-in session lasts
 * @param secureCookie mark the session cookie Secure
 * @param localAccounts whether username and password sign-in is offered (off: SSO only)
 * @param tokenDefaultLifetime an API token's lifetime when its creator names none
 * @param tokenMaxLifetime the longest lifetime an API token may have
 * @param failuresPerUser failed sign-ins per username in a window before 429s
 * @param failuresPerAddress failed sign-ins per client address in a window before 429s
 * @param throttleWindow the window failed sign-ins are counted over
 * @param oidc single sign-on through an OpenID provider
 */
public record AuthSettings(
    boolean enabled,
    boolean allowRemoteWithoutSignIn,
    String adminUser,
    Optional<String> adminPassword,
    Duration sessionLifetime,
    boolean secureCookie,
    boolean localAccounts,
    Duration tokenDefaultLifetime,
    Duration tokenMaxLifetime,
    int failuresPerUser,
    int failuresPerAddress,
    Duration throttleWindow,
    OidcSettings oidc) {

  /** The dispatcher password hashing runs on (configured beside these settings). */
  public static final String HASHING_DISPATCHER = "switchboard.api.auth.hashing-dispatcher";

  public static AuthSettings fromConfig(Config switchboard) {
    Config auth = switchboard.getConfig("api.auth");
    String password = auth.getString("admin-password");
    OidcSettings oidc = OidcSettings.fromConfig(auth.getConfig("oidc"));
    boolean local = auth.getBoolean("local-accounts");
    if (!local && !oidc.enabled()) {
      throw new IllegalArgumentException(
          "switchboard.api.auth.local-accounts is off but single sign-on"
              + " (switchboard.api.auth.oidc.enabled) is not on: nobody could sign in");
    }
    Duration defaultLifetime = auth.getDuration("tokens.default-lifetime");
    Duration maxLifetime = auth.getDuration("tokens.max-lifetime");
    if (defaultLifetime.compareTo(maxLifetime) > 0) {
      throw new IllegalArgumentException(
          "switchboard.api.auth.tokens.default-lifetime ("
              + defaultLifetime
              + ") is longer than tokens.max-lifetime ("
              + maxLifetime
              + ")");
    }
    return new AuthSettings(
        auth.getBoolean("enabled"),
        auth.getBoolean("allow-remote-without-sign-in"),
        auth.getString("admin-user"),
        password.isEmpty() ? Optional.empty() : Optional.of(password),
        auth.getDuration("session-lifetime"),
        auth.getBoolean("secure-cookie"),
        local,
        defaultLifetime,
        maxLifetime,
        auth.getInt("throttle.failures-per-user"),
        auth.getInt("throttle.failures-per-address"),
        auth.getDuration("throttle.window"),
        oidc);
  }
}
