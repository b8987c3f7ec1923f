package io.switchboard.api.auth;

import static org.apache.pekko.http.javadsl.server.Directives.concat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.auth.oidc.OidcClient;
import io.switchboard.persistence.operators.OperatorStore;
import io.switchboard.persistence.operators.SessionStore;
import io.switchboard.persistence.operators.TokenStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Everything about who may use the API, made once per node: resolving callers ({@link
 * Authentication}), sign-in and sessions, single sign-on, accounts and API tokens, and the first
 * admin. {@code blocking} runs password hashing and the OpenID provider's calls, never the threads
 * that serve requests or agents.
 */
public final class OperatorAccess {

  private final Authentication authentication;
  private final OperatorStore operators;
  private final PasswordHasher hasher;
  private final Route routes;

  private OperatorAccess(
      Authentication authentication, OperatorStore operators, PasswordHasher hasher, Route routes) {
    this.authentication = authentication;
    this.operators = operators;
    this.hasher = hasher;
    this.routes = routes;
  }

  public static OperatorAccess create(
      OperatorStore operators,
      SessionStore sessions,
      TokenStore tokens,
      AuthSettings settings,
      Executor blocking,
      ObjectMapper json) {
    Authentication authentication = new Authentication(sessions, tokens, settings);
    PasswordHasher hasher = new PasswordHasher(blocking);
    SignInThrottle throttle =
        new SignInThrottle(
            settings.failuresPerUser(),
            settings.failuresPerAddress(),
            settings.throttleWindow(),
            Clock.systemUTC());
    Optional<OidcClient> oidc =
        settings.oidc().enabled()
            ? Optional.of(new OidcClient(settings.oidc(), blocking))
            : Optional.empty();
    Route routes =
        concat(
            new SessionRoutes(authentication, operators, sessions, hasher, throttle, json).route(),
            new SsoRoutes(authentication, operators, sessions, oidc).route(),
            new AccountRoutes(authentication, operators, sessions, hasher, json).route(),
            new TokenRoutes(authentication, tokens, json).route());
    return new OperatorAccess(authentication, operators, hasher, routes);
  }

  public Authentication authentication() {
    return authentication;
  }

  /** Sign-in, sessions, single sign-on, {@code /api/operators} and {@code /api/tokens}. */
  public Route routes() {
    return routes;
  }

  /** Makes the first admin if no node ever did; true on the node that made it. */
  public CompletionStage<Boolean> ensureFirstAdmin(Path dataDir) {
    return FirstAdmin.ensure(operators, hasher, authentication.settings(), dataDir);
  }
}
