package io.switchboard.api.auth.oidc;

import com.typesafe.config.Config;
import io.switchboard.persistence.operators.Role;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code switchboard.api.auth.oidc}: single sign-on through an OpenID provider (authorization code
 * flow with PKCE).
 *
 * @param enabled offer "Sign in with single sign-on"
 * @param issuer the provider's issuer URL; its discovery document says the rest
 * @param clientId this application's client id at the provider
 * @param clientSecret its secret (client_secret_basic); empty for a public client
 * @param redirectUri where the provider sends the browser back: {@code
 *     https://<switchboard>/api/sso/callback}
 * @param scopes what to ask for besides {@code openid}
 * @param usernameClaim the ID token claim that names the operator
 * @param groupsClaim the claim listing the operator's groups
 * @param adminGroups groups whose members are ADMIN
 * @param operatorGroups groups whose members are OPERATOR
 * @param viewerGroups groups whose members are VIEWER
 * @param defaultRole the role of someone in none of the groups; empty refuses them
 * @param loginTimeout how long a sign-in at the provider may take
 */
public record OidcSettings(
    boolean enabled,
    String issuer,
    String clientId,
    String clientSecret,
    URI redirectUri,
    List<String> scopes,
    String usernameClaim,
    String groupsClaim,
    Set<String> adminGroups,
    Set<String> operatorGroups,
    Set<String> viewerGroups,
    Optional<Role> defaultRole,
    Duration loginTimeout) {

  public static OidcSettings fromConfig(Config oidc) {
    boolean enabled = oidc.getBoolean("enabled");
    String issuer = oidc.getString("issuer");
    String redirect = oidc.getString("redirect-uri");
    if (enabled
        && (issuer.isBlank() || oidc.getString("client-id").isBlank() || redirect.isBlank())) {
      throw new IllegalArgumentException(
          "switchboard.api.auth.oidc is enabled: issuer, client-id and redirect-uri must be set");
    }
    String defaultRole = oidc.getString("default-role").trim();
    return new OidcSettings(
        enabled,
        issuer,
        oidc.getString("client-id"),
        oidc.getString("client-secret"),
        redirect.isBlank() ? URI.create("http://localhost/api/sso/callback") : URI.create(redirect),
        list(oidc.getString("scopes")),
        oidc.getString("username-claim"),
        oidc.getString("groups-claim"),
        Set.copyOf(list(oidc.getString("admin-groups"))),
        Set.copyOf(list(oidc.getString("operator-groups"))),
        Set.copyOf(list(oidc.getString("viewer-groups"))),
        defaultRole.isEmpty() ? Optional.empty() : Optional.of(Role.valueOf(defaultRole)),
        oidc.getDuration("login-timeout"));
  }

  /** The highest role any of the groups maps to, or the default role. */
  public Optional<Role> roleOf(List<String> groups) {
    Set<String> held = Set.copyOf(groups);
    if (held.stream().anyMatch(adminGroups::contains)) {
      return Optional.of(Role.ADMIN);
    }
    if (held.stream().anyMatch(operatorGroups::contains)) {
      return Optional.of(Role.OPERATOR);
    }
    if (held.stream().anyMatch(viewerGroups::contains)) {
      return Optional.of(Role.VIEWER);
    }
    return defaultRole;
  }

  private static List<String> list(String commaSeparated) {
    return Arrays.stream(commaSeparated.split("[,\\s]+"))
        .map(String::trim)
        .filter(item -> !item.isEmpty())
        .collect(Collectors.toList());
  }
}
