package io.switchboard.api.auth;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.extractMethod;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.mapRequest;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.optionalCookie;
import static org.apache.pekko.http.javadsl.server.Directives.optionalHeaderValueByName;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;
import static org.apache.pekko.http.javadsl.server.Directives.respondWithHeader;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Operator;
import io.switchboard.api.http.Problem;
import io.switchboard.persistence.operators.OperatorSession;
import io.switchboard.persistence.operators.OperatorStore;
import io.switchboard.persistence.operators.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCookie;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.SameSite;
import org.apache.pekko.http.javadsl.model.headers.SetCookie;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operators sign in ({@code /api/session}) and act within their role: reading needs VIEWER,
 * changing the fleet OPERATOR, managing accounts ({@code /api/operators}) ADMIN. The session is an
 * HttpOnly, SameSite=Strict cookie; every change must also carry the session's CSRF token in {@code
 * X-CSRF-Token}. The signed-in name is what the audit log records.
 */
public final class Authentication {

  static final String COOKIE = "switchboard_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
  private static final int MIN_PASSWORD = 12;
  private static final Logger log = LoggerFactory.getLogger(Authentication.class);

  record Login(
      @JsonProperty("username") String username, @JsonProperty("password") String password) {}

  record NewOperator(
      @JsonProperty("username") String username,
      @JsonProperty("password") String password,
      @JsonProperty("role") String role) {}

  record Me(
      @JsonProperty("username") String username,
      @JsonProperty("role") String role,
      @JsonProperty("csrf_token") String csrfToken) {}

  private final OperatorStore operators;
  private final AuthSettings settings;
  private final ObjectMapper json;

  public Authentication(OperatorStore operators, AuthSettings settings, ObjectMapper json) {
    this.operators = operators;
    this.settings = settings;
    this.json = json;
  }

  public boolean enabled() {
    return settings.enabled();
  }

  /**
   * On a start that finds no account: the first admin, with the configured password or a generated
   * one written to {@code <data-dir>/admin-password} (never to the log).
   */
  public CompletionStage<Void> ensureFirstAdmin(Path dataDir) {
    if (!settings.enabled()) {
      return CompletableFuture.completedFuture(null);
    }
    return operators
        .isEmpty()
        .thenCompose(
            empty -> {
              if (!empty) {
                return CompletableFuture.completedFuture(null);
              }
              String password =
                  settings.adminPassword().orElseGet(() -> generatedPassword(dataDir));
              return operators
                  .create(settings.adminUser(), Passwords.hash(password), Role.ADMIN, "switchboard")
                  .thenAccept(
                      created ->
                          log.info("Created the first admin account '{}'", settings.adminUser()));
            });
  }

  private static String generatedPassword(Path dataDir) {
    String password = Passwords.randomToken();
    Path file = dataDir.resolve("admin-password");
    try {
      Files.createDirectories(dataDir);
      Files.writeString(
          file, password + "\n", StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new IllegalStateException("could not write the first admin's password to " + file, e);
    }
    log.warn("No admin password configured: generated one in {}", file.toAbsolutePath());
    return password;
  }

  /** {@code /api/session}: sign in (POST), who am I (GET), sign out (DELETE). No role needed. */
  public Route sessionRoutes() {
    return path(
        "session",
        () ->
            concat(
                post(() -> entity(Jackson.unmarshaller(json, Login.class), this::login)),
                get(
                    () ->
                        settings.enabled()
                            ? signedIn(session -> Json.respond(json, StatusCodes.OK, me(session)))
                            : Json.respond(
                                json, StatusCodes.OK, new Me("anonymous", Role.ADMIN.name(), ""))),
                delete(
                    () ->
                        optionalCookie(
                            COOKIE,
                            cookie ->
                                onSuccess(
                                    cookie.isPresent()
                                        ? operators.endSession(
                                            Passwords.sha256(cookie.get().value()))
                                        : CompletableFuture.completedFuture(null),
                                    done ->
                                        respondWithHeader(
                                            SetCookie.create(cookie(COOKIE, "").withMaxAge(0)),
                                            () -> complete(StatusCodes.NO_CONTENT)))))));
  }

  private Route login(Login login) {
    if (login.username() == null || login.password() == null) {
      return complete(
          Problem.response(StatusCodes.BAD_REQUEST, "username and password are required"));
    }
    return onSuccess(
        operators.credentials(login.username()),
        credentials -> {
          if (credentials.isEmpty()
              || !Passwords.matches(login.password(), credentials.get().passwordHash())) {
            return complete(
                Problem.response(StatusCodes.UNAUTHORIZED, "wrong username or password"));
          }
          String token = Passwords.randomToken();
          String csrf = Passwords.randomToken();
          return onSuccess(
              operators.startSession(
                  Passwords.sha256(token), login.username(), csrf, settings.sessionLifetime()),
              started ->
                  respondWithHeader(
                      SetCookie.create(
                          cookie(COOKIE, token).withMaxAge(settings.sessionLifetime().toSeconds())),
                      () ->
                          Json.respond(
                              json,
                              StatusCodes.OK,
                              new Me(login.username(), credentials.get().role().name(), csrf))));
        });
  }

  /** {@code /api/operators}: list and create accounts (ADMIN). */
  public Route operatorRoutes() {
    return pathPrefix(
        "operators",
        () ->
            pathEnd(
                () ->
                    require(
                        Role.ADMIN,
                        () ->
                            concat(
                                get(
                                    () ->
                                        onSuccess(
                                            operators.list(),
                                            accounts ->
                                                Json.respond(
                                                    json,
                                                    StatusCodes.OK,
                                                    Map.of("operators", accounts)))),
                                post(
                                    () ->
                                        Operator.named(
                                            actor ->
                                                entity(
                                                    Jackson.unmarshaller(json, NewOperator.class),
                                                    body -> create(body, actor))))))));
  }

  private Route create(NewOperator body, String actor) {
    if (body.username() == null || !USERNAME.matcher(body.username()).matches()) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST,
              "username must be 1 to 64 letters, digits, '.', '_', '@' or '-'"));
    }
    if (body.password() == null || body.password().length() < MIN_PASSWORD) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST,
              "password must have at least " + MIN_PASSWORD + " characters"));
    }
    Role role;
    try {
      role = Role.valueOf(String.valueOf(body.role()));
    } catch (IllegalArgumentException e) {
      return complete(
          Problem.response(StatusCodes.BAD_REQUEST, "role must be VIEWER, OPERATOR or ADMIN"));
    }
    return onSuccess(
        operators.create(body.username(), Passwords.hash(body.password()), role, actor),
        created ->
            created
                ? Json.respond(
                    json,
                    StatusCodes.CREATED,
                    Map.of("username", body.username(), "role", role.name()))
                : complete(
                    Problem.response(
                        StatusCodes.CONFLICT, "an operator named " + body.username() + " exists")));
  }

  /** Everything else under /api: reading needs VIEWER, anything else OPERATOR. */
  public Route authorized(Supplier<Route> inner) {
    return extractMethod(
        method ->
            require(
                method.equals(HttpMethods.GET) || method.equals(HttpMethods.HEAD)
                    ? Role.VIEWER
                    : Role.OPERATOR,
                inner));
  }

  private Route require(Role needed, Supplier<Route> inner) {
    if (!settings.enabled()) {
      return inner.get();
    }
    return signedIn(
        session -> {
          if (!session.role().allows(needed)) {
            return complete(
                Problem.response(
                    StatusCodes.FORBIDDEN,
                    "this needs the "
                        + needed
                        + " role; "
                        + session.username()
                        + " is "
                        + session.role()));
          }
          return extractMethod(
              method ->
                  optionalHeaderValueByName(
                      CSRF_HEADER,
                      csrf -> {
                        boolean reading =
                            method.equals(HttpMethods.GET) || method.equals(HttpMethods.HEAD);
                        if (!reading && !csrf.map(session.csrfToken()::equals).orElse(false)) {
                          return complete(
                              Problem.response(
                                  StatusCodes.FORBIDDEN,
                                  "missing or wrong " + CSRF_HEADER + " header"));
                        }
                        // The audit log names the signed-in operator, whatever the request claims.
                        return mapRequest(
                            request ->
                                request
                                    .removeHeader(Operator.HEADER)
                                    .addHeader(
                                        RawHeader.create(Operator.HEADER, session.username())),
                            inner);
                      }));
        });
  }

  private Route signedIn(Function<OperatorSession, Route> inner) {
    return optionalCookie(
        COOKIE,
        cookie ->
            cookie.isEmpty()
                ? complete(
                    Problem.response(StatusCodes.UNAUTHORIZED, "sign in first (POST /api/session)"))
                : onSuccess(
                    operators.session(Passwords.sha256(cookie.get().value())),
                    (Optional<OperatorSession> session) ->
                        session.isEmpty()
                            ? complete(
                                Problem.response(
                                    StatusCodes.UNAUTHORIZED, "the session ended; sign in again"))
                            : inner.apply(session.get())));
  }

  private HttpCookie cookie(String name, String value) {
    return HttpCookie.create(name, value)
        .withPath("/")
        .withHttpOnly(true)
        .withSecure(settings.secureCookie())
        .withSameSite(SameSite.Strict);
  }

  private static Me me(OperatorSession session) {
    return new Me(session.username(), session.role().name(), session.csrfToken());
  }
}
