package io.switchboard.gateway.auth;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer tokens agents must present, one per fleet. Only SHA-256 digests are kept in memory and
 * compared in constant time; a token is never logged. With no token configured, authentication is
 * off (the laptop default) and every agent belongs to the fleet {@code default}.
 */
public final class AgentTokens {

  static final String OPEN_FLEET = "default";
  private static final String BEARER = "Bearer ";

  private final Map<String, byte[]> digestsByFleet;

  private AgentTokens(Map<String, byte[]> digestsByFleet) {
    this.digestsByFleet = digestsByFleet;
  }

  /**
   * From {@code switchboard.opamp.auth}: {@code tokens} (fleet = token) plus an optional single
   * {@code token}.
   */
  public static AgentTokens fromConfig(Config auth) {
    Map<String, String> tokens = new LinkedHashMap<>();
    Config perFleet = auth.getConfig("tokens");
    perFleet.root().keySet().forEach(fleet -> tokens.put(fleet, perFleet.getString(fleet)));
    if (!auth.getString("token").isEmpty()) {
      tokens.put(OPEN_FLEET, auth.getString("token"));
    }
    return of(tokens);
  }

  public static AgentTokens of(Map<String, String> tokensByFleet) {
    Map<String, byte[]> digests = new LinkedHashMap<>();
    tokensByFleet.forEach(
        (fleet, token) -> {
          if (token.isBlank()) {
            throw new IllegalArgumentException("the agent token of fleet '" + fleet + "' is empty");
          }
          digests.put(fleet, sha256(token));
        });
    return new AgentTokens(digests);
  }

  public boolean required() {
    return !digestsByFleet.isEmpty();
  }

  /** The fleet whose token the {@code Authorization: Bearer ...} header carries, if any. */
  public Optional<String> fleetFor(Optional<String> authorization) {
    if (!required()) {
      return Optional.of(OPEN_FLEET);
    }
    if (authorization.isEmpty()
        || !authorization.get().regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    byte[] presented = sha256(authorization.get().substring(BEARER.length()).strip());
    String match = null;
    for (Map.Entry<String, byte[]> fleet : digestsByFleet.entrySet()) {
      if (MessageDigest.isEqual(fleet.getValue(), presented)) {
        match = fleet.getKey();
      }
    }
    return Optional.ofNullable(match);
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
