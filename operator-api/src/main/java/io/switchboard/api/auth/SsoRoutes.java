package io.switchboard.api.auth;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onComplete;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.redirect;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeader;

import io.switchboard.api.auth.oidc.OidcClient;
import io.switchboard.api.http.Problem;
import io.switchboard.persistence.operators.OperatorStore;
import io.switchboard.persistence.operators.Role;
import io.switchboard.persistence.operators.SessionStore;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.SetCookie;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single sign-on: {@code GET /api/sso/login} sends the browser to the OpenID provider; the provider
 * sends it back to {@code GET /api/sso/callback}, where the code is exchanged, the ID token
 * validated, its groups mapped to a role, and a session started as with a password. The pending
 * attempt is kept in the database, so the answer may reach any node.
 */
public final class SsoRoutes {

  private static final Logger log = LoggerFactory.getLogger(SsoRoutes.class);

  private final Authentication authentication;
  private final OperatorStore operators;
  private final SessionStore sessions;
  private final Optional<OidcClient> client;

  public SsoRoutes(
      Authentication authentication,
      OperatorStore operators,
      SessionStore sessions,
      Optional<OidcClient> client) {
    this.authentication = authentication;
    this.operators = operators;
    this.sessions = sessions;
    this.client = client;
  }

  public Route route() {
    return pathPrefix(
        "sso",
        () -> {
          if (client.isEmpty() || !authentication.enabled()) {
            return complete(
                Problem.response(
                    StatusCodes.NOT_FOUND,
                    "single sign-on is not configured (switchboard.api.auth.oidc)"));
          }
          return concat(
              path("login", () -> get(this::login)),
              path(
                  "callback",
                  () ->
                      get(
                          () ->
                              parameterOptional(
                                  "code",
                                  code ->
                                      parameterOptional(
                                          "state",
                                          state ->
                                              parameterOptional(
                                                  "error",
                                                  error -> callback(code, state, error)))))));
        });
  }

  private Route login() {
    CompletionStage<OidcClient.Start> started =
        client
            .get()
            .start()
            .thenCompose(
                start ->
                    sessions
                        .startSso(
                            Passwords.sha256(start.state()),
                            start.codeVerifier(),
                            start.nonce(),
                            authentication.settings().oidc().loginTimeout())
                        .thenApply(stored -> start));
    return onComplete(
        started,
        result ->
            result.isSuccess()
                ? redirect(
                    Uri.create(result.get().authorizationUri().toString()), StatusCodes.FOUND)
                : refused(result.failed().get()));
  }

  private Route callback(Optional<String> code, Optional<String> state, Optional<String> error) {
    if (error.isPresent()) {
      return complete(
          Problem.response(
              StatusCodes.UNAUTHORIZED, "the OpenID provider did not sign you in: " + error.get()));
    }
    if (code.isEmpty() || state.isEmpty()) {
      return complete(
          Problem.response(StatusCodes.BAD_REQUEST, "the provider's answer lacks code or state"));
    }
    CompletionStage<SessionRoutes.Started> signedIn =
        sessions
            .takeSso(Passwords.sha256(state.get()))
            .thenCompose(
                pending -> {
                  if (pending.isEmpty()) {
                    throw new OidcClient.Refused(
                        "this sign-in is unknown, expired or already used; start again");
                  }
                  return client
                      .get()
                      .finish(code.get(), pending.get().codeVerifier(), pending.get().nonce());
                })
            .thenCompose(
                identity -> {
                  Optional<Role> role = authentication.settings().oidc().roleOf(identity.groups());
                  if (role.isEmpty()) {
                    throw new OidcClient.Refused(
                        identity.username() + " is in none of the groups that map to a role here");
                  }
                  return operators.signedOnBySso(identity.username(), role.get());
                })
            .thenCompose(
                account -> {
                  if (account.isEmpty()) {
                    throw new OidcClient.Refused(
                        "a local account has that name; an admin must rename or delete it first");
                  }
                  if (account.get().disabled()) {
                    throw new OidcClient.Refused("this account is disabled");
                  }
                  return SessionRoutes.newSession(
                      sessions, authentication.settings(), account.get().username());
                });
    return onComplete(
        signedIn,
        result ->
            result.isSuccess()
                ? respondWithHeader(
                    SetCookie.create(
                        authentication
                            .cookie(result.get().cookie())
                            .withMaxAge(authentication.settings().sessionLifetime().toSeconds())),
                    () -> redirect(Uri.create("/"), StatusCodes.FOUND))
                : refused(result.failed().get()));
  }

  private static Route refused(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof OidcClient.Refused refused) {
      log.info("Single sign-on refused: {}", refused.getMessage());
      return complete(Problem.response(StatusCodes.UNAUTHORIZED, refused.getMessage()));
    }
    throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
  }
}
