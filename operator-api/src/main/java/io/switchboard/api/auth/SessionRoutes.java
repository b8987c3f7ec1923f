package io.switchboard.api.auth;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.optionalCookie;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.put;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeader;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Problem;
import io.switchboard.persistence.operators.OperatorStore;
import io.switchboard.persistence.operators.Role;
import io.switchboard.persistence.operators.SessionStore;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.model.headers.SetCookie;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/session}: sign in with a username and password (POST), who am I (GET), sign out
 * (DELETE); {@code /api/session/password}: change one's own password (PUT). Failed sign-ins are
 * throttled per username and per client address; hashing runs on its own dispatcher.
 */
public final class SessionRoutes {

  static final int MIN_PASSWORD = 12;

  record Login(
      @JsonProperty("username") String username, @JsonProperty("password") String password) {}

  record PasswordChange(
      @JsonProperty("current_password") String currentPassword,
      @JsonProperty("new_password") String newPassword) {}

  record Me(
      @JsonProperty("username") String username,
      @JsonProperty("role") String role,
      @JsonProperty("csrf_token") String csrfToken,
      @JsonProperty("via") String via) {}

  /** What the sign-in page offers. */
  record SignInOptions(
      @JsonProperty("sign_in_required") boolean required,
      @JsonProperty("local_accounts") boolean localAccounts,
      @JsonProperty("single_sign_on") boolean singleSignOn) {}

  private final Authentication authentication;
  private final OperatorStore operators;
  private final SessionStore sessions;
  private final PasswordHasher hasher;
  private final SignInThrottle throttle;
  private final ObjectMapper json;

  public SessionRoutes(
      Authentication authentication,
      OperatorStore operators,
      SessionStore sessions,
      PasswordHasher hasher,
      SignInThrottle throttle,
      ObjectMapper json) {
    this.authentication = authentication;
    this.operators = operators;
    this.sessions = sessions;
    this.hasher = hasher;
    this.throttle = throttle;
    this.json = json;
  }

  public Route route() {
    AuthSettings settings = authentication.settings();
    return concat(
        path(
            "sign-in-options",
            () ->
                get(
                    () ->
                        Json.respond(
                            json,
                            StatusCodes.OK,
                            new SignInOptions(
                                settings.enabled(),
                                settings.localAccounts(),
                                settings.enabled() && settings.oidc().enabled())))),
        pathPrefix(
            "session",
            () ->
                concat(
                    pathEnd(
                        () ->
                            concat(
                                post(
                                    () ->
                                        entity(
                                            Jackson.unmarshaller(json, Login.class), this::login)),
                                get(
                                    () ->
                                        authentication.principal(
                                            principal ->
                                                Json.respond(json, StatusCodes.OK, me(principal)))),
                                delete(this::logout))),
                    path(
                        "password",
                        () ->
                            put(
                                () ->
                                    authentication.require(
                                        Role.VIEWER,
                                        principal ->
                                            entity(
                                                Jackson.unmarshaller(json, PasswordChange.class),
                                                change -> changePassword(principal, change))))))));
  }

  private Route logout() {
    return optionalCookie(
        Authentication.COOKIE,
        cookie ->
            onSuccess(
                cookie.isPresent()
                    ? sessions.end(Passwords.sha256(cookie.get().value()))
                    : CompletableFuture.completedFuture(null),
                done ->
                    respondWithHeader(
                        SetCookie.create(authentication.cookie("").withMaxAge(0)),
                        () -> complete(StatusCodes.NO_CONTENT))));
  }

  private Route login(Login login) {
    AuthSettings settings = authentication.settings();
    if (!settings.enabled()) {
      return complete(
          Problem.response(StatusCodes.CONFLICT, "sign-in is turned off on this installation"));
    }
    if (!settings.localAccounts()) {
      return complete(
          Problem.response(
              StatusCodes.FORBIDDEN,
              "local accounts are turned off: sign in with single sign-on (GET /api/sso/login)"));
    }
    if (login.username() == null || login.password() == null) {
      return complete(
          Problem.response(StatusCodes.BAD_REQUEST, "username and password are required"));
    }
    return extractRequest(
        request -> {
          String address = clientAddress(request);
          Optional<Duration> wait = throttle.retryAfter(login.username(), address);
          if (wait.isPresent()) {
            return tooMany(wait.get());
          }
          return onSuccess(checked(login, address), outcome -> outcome);
        });
  }

  /** Checks the password off the API's threads; the answer is the route to complete with. */
  private CompletionStage<Route> checked(Login login, String address) {
    return operators
        .credentials(login.username())
        .thenCompose(
            credentials ->
                hasher
                    .matches(
                        login.password(),
                        credentials.flatMap(OperatorStore.Credentials::passwordHash))
                    .thenCompose(
                        matches -> {
                          if (!matches || credentials.get().disabled()) {
                            throttle.failed(login.username(), address);
                            return CompletableFuture.completedFuture(
                                complete(
                                    Problem.response(
                                        StatusCodes.UNAUTHORIZED, "wrong username or password")));
                          }
                          throttle.succeeded(login.username());
                          String stored = credentials.get().passwordHash().orElseThrow();
                          CompletionStage<Void> rehashed =
                              Passwords.needsRehash(stored)
                                  ? hasher
                                      .hash(login.password())
                                      .thenCompose(
                                          fresh ->
                                              operators.rehash(login.username(), stored, fresh))
                                  : CompletableFuture.completedFuture(null);
                          return rehashed.thenCompose(
                              done -> startSession(login.username(), credentials.get().role()));
                        }));
  }

  /** A started session: the cookie's value and the CSRF token. */
  record Started(String cookie, String csrf) {}

  /** Starts a session for an operator who proved who they are. */
  static CompletionStage<Started> newSession(
      SessionStore sessions, AuthSettings settings, String username) {
    String token = Passwords.randomToken();
    String csrf = Passwords.randomToken();
    return sessions
        .start(Passwords.sha256(token), username, csrf, settings.sessionLifetime())
        .thenApply(started -> new Started(token, csrf));
  }

  /** Starts a session for a signed-in operator: the cookie, and the CSRF token in the body. */
  private CompletionStage<Route> startSession(String username, Role role) {
    AuthSettings settings = authentication.settings();
    return newSession(sessions, settings, username)
        .thenApply(
            started ->
                respondWithHeader(
                    SetCookie.create(
                        authentication
                            .cookie(started.cookie())
                            .withMaxAge(settings.sessionLifetime().toSeconds())),
                    () ->
                        Json.respond(
                            json,
                            StatusCodes.OK,
                            new Me(username, role.name(), started.csrf(), "session"))));
  }

  private Route changePassword(Principal principal, PasswordChange change) {
    if (principal.bearer() || principal.sessionHash().isEmpty()) {
      return complete(
          Problem.response(
              StatusCodes.FORBIDDEN, "only a signed-in operator changes their own password"));
    }
    if (change.currentPassword() == null
        || change.newPassword() == null
        || change.newPassword().length() < MIN_PASSWORD) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST,
              "current_password and new_password (at least "
                  + MIN_PASSWORD
                  + " characters) are required"));
    }
    CompletionStage<Route> outcome =
        operators
            .credentials(principal.username())
            .thenCompose(
                credentials -> {
                  Optional<String> stored =
                      credentials.flatMap(OperatorStore.Credentials::passwordHash);
                  if (stored.isEmpty()) {
                    return CompletableFuture.completedFuture(
                        complete(
                            Problem.response(
                                StatusCodes.CONFLICT,
                                "this account signs in through single sign-on; its password is"
                                    + " the provider's")));
                  }
                  return hasher
                      .matches(change.currentPassword(), stored)
                      .thenCompose(
                          matches ->
                              !matches
                                  ? CompletableFuture.completedFuture(
                                      complete(
                                          Problem.response(
                                              StatusCodes.FORBIDDEN,
                                              "the current password is wrong")))
                                  : hasher
                                      .hash(change.newPassword())
                                      .thenCompose(
                                          hash ->
                                              operators.setPassword(
                                                  principal.username(),
                                                  hash,
                                                  principal.auditName()))
                                      .thenApply(set -> complete(StatusCodes.NO_CONTENT)));
                });
    return onSuccess(outcome, route -> route);
  }

  private static Me me(Principal principal) {
    if (principal.bearer()) {
      return new Me(principal.username(), principal.role().name(), "", "token");
    }
    return new Me(
        principal.username(),
        principal.role().name(),
        principal.csrfToken().orElse(Authentication.ANONYMOUS_CSRF),
        principal.sessionHash().isPresent() ? "session" : "anonymous");
  }

  static Route tooMany(Duration wait) {
    long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
    return respondWithHeader(
        RetryAfter.create(seconds),
        () ->
            complete(
                Problem.response(
                    StatusCodes.TOO_MANY_REQUESTS,
                    "too many failed sign-ins; try again in " + seconds + " s")));
  }

  /** The peer's address as the socket saw it (a forwarded-for header is the client's to invent). */
  static String clientAddress(HttpRequest request) {
    return request
        .getAttribute(AttributeKeys.remoteAddress)
        .flatMap(remote -> remote.getAddress())
        .map(address -> address.getHostAddress())
        .orElse("unknown");
  }
}
