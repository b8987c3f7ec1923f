package io.switchboard.api.auth;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractMethod;
import static org.apache.pekko.http.javadsl.server.Directives.mapRequest;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.optionalCookie;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;

import io.switchboard.api.http.Operator;
import io.switchboard.api.http.Problem;
import io.switchboard.persistence.operators.OperatorSession;
import io.switchboard.persistence.operators.Role;
import io.switchboard.persistence.operators.SessionStore;
import io.switchboard.persistence.operators.TokenStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCookie;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.SameSite;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who a request under /api acts as, and whether its role allows it: reading needs VIEWER, changing
 * the fleet OPERATOR, managing accounts ADMIN. A browser holds a session (an HttpOnly,
 * SameSite=Strict cookie) and must send the session's CSRF token in {@code X-CSRF-Token} with every
 * change; automation sends {@code Authorization: Bearer <API token>} and needs no CSRF token, since
 * no browser sends that header by itself. With sign-in off everyone is an anonymous ADMIN, and a
 * change must still carry an {@code X-CSRF-Token} header (any value): a page on another site cannot
 * add one without a CORS preflight, which the API never grants.
 */
public final class Authentication {

  static final String COOKIE = "switchboard_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  static final String TOKEN_PREFIX = "sbt_";

  /** What the dashboard is given as its CSRF token with sign-in off. */
  static final String ANONYMOUS_CSRF = "sign-in-off";

  /** How stale a token's last-used time may get before a use writes it again. */
  private static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

  private final SessionStore sessions;
  private final TokenStore tokens;
  private final AuthSettings settings;

  public Authentication(SessionStore sessions, TokenStore tokens, AuthSettings settings) {
    this.sessions = sessions;
    this.tokens = tokens;
    this.settings = settings;
  }

  public boolean enabled() {
    return settings.enabled();
  }

  public AuthSettings settings() {
    return settings;
  }

  /** Everything else under /api: reading needs VIEWER, anything else OPERATOR. */
  public Route authorized(Function<Principal, Route> inner) {
    return extractMethod(method -> require(reading(method) ? Role.VIEWER : Role.OPERATOR, inner));
  }

  /**
   * Resolves the caller, refuses one whose role is below {@code needed} (403) or whose change lacks
   * its CSRF token (403), and names the caller in {@link Operator#HEADER} for the audit log.
   */
  public Route require(Role needed, Function<Principal, Route> inner) {
    return principal(
        principal -> {
          if (!principal.role().allows(needed)) {
            return complete(
                Problem.response(
                    StatusCodes.FORBIDDEN,
                    "this needs the "
                        + needed
                        + " role; "
                        + principal.auditName()
                        + " is "
                        + principal.role()));
          }
          return extractMethod(
              method ->
                  optionalHeaderValueByName(
                      CSRF_HEADER,
                      csrf -> {
                        if (!reading(method) && !csrfHolds(principal, csrf)) {
                          return complete(
                              Problem.response(
                                  StatusCodes.FORBIDDEN,
                                  "missing or wrong " + CSRF_HEADER + " header"));
                        }
                        if (!settings.enabled()) {
                          return inner.apply(principal);
                        }
                        // The audit log names the caller as resolved, whatever the request claims.
                        return mapRequest(
                            request ->
                                request
                                    .removeHeader(Operator.HEADER)
                                    .addHeader(
                                        RawHeader.create(Operator.HEADER, principal.auditName())),
                            () -> inner.apply(principal));
                      }));
        });
  }

  /** The caller, or 401 when it is neither signed in nor presents a live API token. */
  public Route principal(Function<Principal, Route> inner) {
    if (!settings.enabled()) {
      return Operator.named(
          name ->
              inner.apply(
                  new Principal(
                      name, Role.ADMIN, Optional.empty(), Optional.empty(), Optional.empty())));
    }
    return optionalHeaderValueByName(
        "Authorization",
        authorization -> {
          if (authorization.isPresent()) {
            return bearer(authorization.get(), inner);
          }
          return optionalCookie(
              COOKIE,
              cookie ->
                  cookie.isEmpty()
                      ? complete(
                          Problem.response(
                              StatusCodes.UNAUTHORIZED,
                              "sign in first (POST /api/session), or send Authorization: Bearer"
                                  + " <API token>"))
                      : session(cookie.get().value(), inner));
        });
  }

  /** Whether the session of a cookie value is still live (for streams that outlast a request). */
  public CompletionStage<Boolean> live(Principal principal) {
    if (principal.sessionHash().isEmpty()) {
      return CompletableFuture.completedFuture(true);
    }
    return sessions.find(principal.sessionHash().get()).thenApply(Optional::isPresent);
  }

  private Route session(String cookie, Function<Principal, Route> inner) {
    byte[] hash = Passwords.sha256(cookie);
    return onSuccess(
        sessions.find(hash),
        (Optional<OperatorSession> session) ->
            session.isEmpty()
                ? complete(
                    Problem.response(StatusCodes.UNAUTHORIZED, "the session ended; sign in again"))
                : inner.apply(
                    new Principal(
                        session.get().username(),
                        session.get().role(),
                        Optional.empty(),
                        Optional.of(session.get().csrfToken()),
                        Optional.of(hash))));
  }

  private Route bearer(String authorization, Function<Principal, Route> inner) {
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return complete(
          Problem.response(
              StatusCodes.UNAUTHORIZED, "the Authorization header must be Bearer <API token>"));
    }
    String token = authorization.substring(7).trim();
    return onSuccess(
        tokens.find(Passwords.sha256(token)),
        (Optional<TokenStore.Bearer> found) -> {
          if (found.isEmpty()) {
            return complete(
                Problem.response(
                    StatusCodes.UNAUTHORIZED, "the API token is unknown, expired or revoked"));
          }
          TokenStore.Bearer live = found.get();
          if (live.lastUsedAt() == null
              || live.lastUsedAt().isBefore(Instant.now().minus(LAST_USED_PRECISION))) {
            // Best effort, once a minute at most: a request never waits for this write.
            tokens.used(live.id());
          }
          return inner.apply(
              new Principal(
                  live.owner(),
                  live.role(),
                  Optional.of(live.name()),
                  Optional.empty(),
                  Optional.empty()));
        });
  }

  private boolean csrfHolds(Principal principal, Optional<String> presented) {
    if (principal.bearer()) {
      return true;
    }
    if (!settings.enabled()) {
      return presented.filter(value -> !value.isBlank()).isPresent();
    }
    return presented.isPresent()
        && principal.csrfToken().isPresent()
        && constantTimeEquals(presented.get(), principal.csrfToken().get());
  }

  static boolean constantTimeEquals(String presented, String expected) {
    return MessageDigest.isEqual(
        presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  static boolean reading(HttpMethod method) {
    return method.equals(HttpMethods.GET) || method.equals(HttpMethods.HEAD);
  }

  public HttpCookie cookie(String value) {
    return HttpCookie.create(COOKIE, value)
        .withPath("/")
        .withHttpOnly(true)
        .withSecure(settings.secureCookie())
        .withSameSite(SameSite.Strict);
  }
}
