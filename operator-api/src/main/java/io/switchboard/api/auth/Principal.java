package io.switchboard.api.auth;

import io.switchboard.persistence.operators.Role;
import java.util.Optional;

/**
 * Who a request acts as: a signed-in operator (a session cookie, whose changes must carry its CSRF
 * token), an API token acting for its owner, or, with sign-in turned off, an anonymous caller.
 *
 * @param username the operator (for a token, its owner)
 * @param role what the request may do
 * @param tokenName the API token's name, for a bearer request
 * @param csrfToken the session's CSRF token (empty unless a session)
 * @param sessionHash the session cookie's SHA-256 (empty unless a session)
 */
public record Principal(
    String username,
    Role role,
    Optional<String> tokenName,
    Optional<String> csrfToken,
    Optional<byte[]> sessionHash) {

  public boolean bearer() {
    return tokenName.isPresent();
  }

  /** How the audit log names it: {@code alice}, or {@code alice (token deploy-bot)}. */
  public String auditName() {
    return tokenName.map(name -> username + " (token " + name + ")").orElse(username);
  }
}
