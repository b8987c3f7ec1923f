package io.switchboard.api.auth;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.delete;
import static org.apache.pekko.http.javadsl.server.Directives.entity;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEnd;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.http.Json;
import io.switchboard.api.http.Problem;
import io.switchboard.persistence.operators.Role;
import io.switchboard.persistence.operators.TokenStore;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/tokens}: API tokens for automation. Anyone signed in makes tokens for themselves with
 * a role no higher than their own and a lifetime up to the configured maximum; the token is in the
 * creation's answer and nowhere else (the database keeps its SHA-256). Each lists and revokes their
 * own; an ADMIN lists and revokes everyone's.
 */
public final class TokenRoutes {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._ -]{1,64}");

  record NewToken(
      @JsonProperty("name") String name,
      @JsonProperty("role") String role,
      @JsonProperty("expires_in") String expiresIn) {}

  record TokenView(
      @JsonProperty("id") UUID id,
      @JsonProperty("name") String name,
      @JsonProperty("owner") String owner,
      @JsonProperty("role") String role,
      @JsonProperty("created_at") String createdAt,
      @JsonProperty("expires_at") String expiresAt,
      @JsonProperty("last_used_at") String lastUsedAt,
      @JsonProperty("token") String token) {

    static TokenView of(TokenStore.Token token, String secret) {
      return new TokenView(
          token.id(),
          token.name(),
          token.owner(),
          token.role().name(),
          token.createdAt().toString(),
          token.expiresAt().toString(),
          token.lastUsedAt() == null ? null : token.lastUsedAt().toString(),
          secret);
    }
  }

  private final Authentication authentication;
  private final TokenStore tokens;
  private final ObjectMapper json;

  public TokenRoutes(Authentication authentication, TokenStore tokens, ObjectMapper json) {
    this.authentication = authentication;
    this.tokens = tokens;
    this.json = json;
  }

  public Route route() {
    return pathPrefix(
        "tokens",
        () ->
            authentication.require(
                Role.VIEWER,
                caller ->
                    concat(
                        pathEnd(
                            () ->
                                concat(
                                    get(() -> list(caller)),
                                    post(
                                        () ->
                                            entity(
                                                Jackson.unmarshaller(json, NewToken.class),
                                                body -> create(body, caller))))),
                        path(PathMatchers.uuidSegment(), id -> delete(() -> revoke(id, caller))))));
  }

  private Route list(Principal caller) {
    Optional<String> owner =
        caller.role() == Role.ADMIN ? Optional.empty() : Optional.of(caller.username());
    return onSuccess(
        tokens.list(owner),
        listed ->
            Json.respond(
                json,
                StatusCodes.OK,
                Map.of(
                    "tokens", listed.stream().map(token -> TokenView.of(token, null)).toList())));
  }

  private Route create(NewToken body, Principal caller) {
    AuthSettings settings = authentication.settings();
    if (!settings.enabled()) {
      return AccountRoutes.signInOff();
    }
    if (body.name() == null || !NAME.matcher(body.name()).matches()) {
      return problem("name must be 1 to 64 letters, digits, spaces, '.', '_' or '-'");
    }
    Role role;
    try {
      role = body.role() == null ? caller.role() : Role.valueOf(body.role());
    } catch (IllegalArgumentException e) {
      return problem("role must be VIEWER, OPERATOR or ADMIN");
    }
    if (!caller.role().allows(role)) {
      return complete(
          Problem.response(
              StatusCodes.FORBIDDEN,
              "a token's role cannot be above its creator's: "
                  + caller.username()
                  + " is "
                  + caller.role()));
    }
    Duration lifetime;
    try {
      lifetime =
          body.expiresIn() == null
              ? settings.tokenDefaultLifetime()
              : Duration.parse(body.expiresIn());
    } catch (DateTimeParseException e) {
      return problem("expires_in must be an ISO-8601 duration, e.g. P30D or PT12H");
    }
    if (lifetime.isNegative() || lifetime.isZero()) {
      return problem("expires_in must be positive");
    }
    if (lifetime.compareTo(settings.tokenMaxLifetime()) > 0) {
      return problem(
          "expires_in is longer than the longest lifetime a token may have here ("
              + settings.tokenMaxLifetime()
              + ")");
    }
    String secret = Authentication.TOKEN_PREFIX + Passwords.randomToken();
    return onSuccess(
        tokens.create(
            UUID.randomUUID(),
            body.name(),
            caller.username(),
            role,
            Passwords.sha256(secret),
            lifetime),
        created -> Json.respond(json, StatusCodes.CREATED, TokenView.of(created, secret)));
  }

  private Route revoke(UUID id, Principal caller) {
    Optional<String> owner =
        caller.role() == Role.ADMIN ? Optional.empty() : Optional.of(caller.username());
    return onSuccess(
        tokens.revoke(id, owner, caller.auditName()),
        revoked ->
            revoked
                ? complete(StatusCodes.NO_CONTENT)
                : complete(Problem.response(StatusCodes.NOT_FOUND, "no token " + id)));
  }

  private static Route problem(String detail) {
    return complete(Problem.response(StatusCodes.BAD_REQUEST, detail));
  }
}
