package io.switchboard.api.auth;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.patch;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Problem;
import io.switchboard.persistence.operators.OperatorStore;
import io.switchboard.persistence.operators.Role;
import io.switchboard.persistence.operators.SessionStore;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/operators} (ADMIN): list and create accounts, change one's role or disable it
 * (PATCH), delete it, and end its sessions ({@code DELETE /api/operators/{name}/sessions}). Every
 * change is audited. With sign-in off there are no accounts to make.
 */
public final class AccountRoutes {

  static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  record NewOperator(
      @JsonProperty("username") String username,
      @JsonProperty("password") String password,
      @JsonProperty("role") String role) {}

  record Change(@JsonProperty("role") String role, @JsonProperty("disabled") Boolean disabled) {}

  private final Authentication authentication;
  private final OperatorStore operators;
  private final SessionStore sessions;
  private final PasswordHasher hasher;
  private final ObjectMapper json;

  public AccountRoutes(
      Authentication authentication,
      OperatorStore operators,
      SessionStore sessions,
      PasswordHasher hasher,
      ObjectMapper json) {
    this.authentication = authentication;
    this.operators = operators;
    this.sessions = sessions;
    this.hasher = hasher;
    this.json = json;
  }

  public Route route() {
    return pathPrefix(
        "operators",
        () ->
            authentication.require(
                Role.ADMIN,
                admin ->
                    concat(
                        pathEnd(
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
                                            entity(
                                                Jackson.unmarshaller(json, NewOperator.class),
                                                body -> create(body, admin))))),
                        pathPrefix(
                            PathMatchers.segment(),
                            username ->
                                concat(
                                    pathEnd(
                                        () ->
                                            concat(
                                                patch(
                                                    () ->
                                                        entity(
                                                            Jackson.unmarshaller(
                                                                json, Change.class),
                                                            change ->
                                                                change(username, change, admin))),
                                                delete(() -> deleteAccount(username, admin)))),
                                    path(
                                        "sessions",
                                        () ->
                                            delete(
                                                () ->
                                                    onSuccess(
                                                        sessions.endAll(
                                                            username, admin.auditName()),
                                                        ended ->
                                                            Json.respond(
                                                                json,
                                                                StatusCodes.OK,
                                                                Map.of(
                                                                    "sessions_ended",
                                                                    ended))))))))));
  }

  private Route create(NewOperator body, Principal admin) {
    if (!authentication.enabled()) {
      return signInOff();
    }
    if (body.username() == null || !USERNAME.matcher(body.username()).matches()) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST,
              "username must be 1 to 64 letters, digits, '.', '_', '@' or '-'"));
    }
    if (body.password() == null || body.password().length() < SessionRoutes.MIN_PASSWORD) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST,
              "password must have at least " + SessionRoutes.MIN_PASSWORD + " characters"));
    }
    Optional<Role> role = role(body.role());
    if (role.isEmpty()) {
      return badRole();
    }
    return onSuccess(
        hasher
            .hash(body.password())
            .thenCompose(
                hash -> operators.create(body.username(), hash, role.get(), admin.auditName())),
        created ->
            created
                ? Json.respond(
                    json,
                    StatusCodes.CREATED,
                    Map.of("username", body.username(), "role", role.get().name()))
                : complete(
                    Problem.response(
                        StatusCodes.CONFLICT, "an operator named " + body.username() + " exists")));
  }

  private Route change(String username, Change change, Principal admin) {
    Optional<Role> role = Optional.empty();
    if (change.role() != null) {
      role = role(change.role());
      if (role.isEmpty()) {
        return badRole();
      }
    }
    if (role.isEmpty() && change.disabled() == null) {
      return complete(
          Problem.response(StatusCodes.BAD_REQUEST, "send role and/or disabled to change"));
    }
    if (username.equals(admin.username())
        && (Boolean.TRUE.equals(change.disabled())
            || role.filter(r -> r != Role.ADMIN).isPresent())) {
      return complete(
          Problem.response(
              StatusCodes.CONFLICT,
              "an admin cannot disable or demote themselves; another admin can"));
    }
    return onSuccess(
        operators.update(username, role, Optional.ofNullable(change.disabled()), admin.auditName()),
        updated ->
            updated.isPresent()
                ? Json.respond(json, StatusCodes.OK, updated.get())
                : notFound(username));
  }

  private Route deleteAccount(String username, Principal admin) {
    if (username.equals(admin.username())) {
      return complete(
          Problem.response(
              StatusCodes.CONFLICT, "an admin cannot delete themselves; another admin can"));
    }
    return onSuccess(
        operators.delete(username, admin.auditName()),
        deleted -> deleted ? complete(StatusCodes.NO_CONTENT) : notFound(username));
  }

  private static Optional<Role> role(String name) {
    try {
      return Optional.of(Role.valueOf(String.valueOf(name)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Route badRole() {
    return complete(
        Problem.response(StatusCodes.BAD_REQUEST, "role must be VIEWER, OPERATOR or ADMIN"));
  }

  private static Route notFound(String username) {
    return complete(Problem.response(StatusCodes.NOT_FOUND, "no operator named " + username));
  }

  static Route signInOff() {
    return complete(
        Problem.response(
            StatusCodes.CONFLICT,
            "sign-in is turned off (switchboard.api.auth.enabled): there are no accounts or"
                + " tokens to make"));
  }
}
