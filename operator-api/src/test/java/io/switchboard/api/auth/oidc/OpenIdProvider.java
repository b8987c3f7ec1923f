package io.switchboard.api.auth.oidc;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;

/**
 * A real OpenID provider in the test JVM (mock-oauth2-server: discovery, JWKS, authorization code
 * flow, signed ID tokens), with Switchboard's settings pointing at one of its issuers.
 */
public final class OpenIdProvider implements AutoCloseable {

  public static final String ISSUER_ID = "switchboard-idp";
  public static final String CLIENT_ID = "switchboard";

  private final MockOAuth2Server server = new MockOAuth2Server();

  public OpenIdProvider() {
    server.start();
  }

  public String issuer() {
    return server.issuerUrl(ISSUER_ID).toString();
  }

  public MockOAuth2Server server() {
    return server;
  }

  /** The next sign-in at the provider is this user, in these groups. */
  public void nextSignIn(String username, List<String> groups) {
    server.enqueueCallback(
        new DefaultOAuth2TokenCallback(
            ISSUER_ID,
            username + "-subject",
            "JWT",
            List.of(CLIENT_ID),
            Map.of("preferred_username", username, "groups", groups),
            3600));
  }

  /** Switchboard's settings for this provider, with OPERATOR for group fleet-ops. */
  public Map<String, Object> settings(int apiPort) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("switchboard.api.auth.enabled", true);
    settings.put("switchboard.api.auth.oidc.enabled", true);
    settings.put("switchboard.api.auth.oidc.issuer", issuer());
    settings.put("switchboard.api.auth.oidc.client-id", CLIENT_ID);
    settings.put("switchboard.api.auth.oidc.client-secret", "client-secret");
    settings.put(
        "switchboard.api.auth.oidc.redirect-uri",
        "http://127.0.0.1:" + apiPort + "/api/sso/callback");
    settings.put("switchboard.api.auth.oidc.admin-groups", "fleet-admins");
    settings.put("switchboard.api.auth.oidc.operator-groups", "fleet-ops, sre");
    settings.put("switchboard.api.auth.oidc.viewer-groups", "everyone");
    settings.put("switchboard.api.port", apiPort);
    return settings;
  }

  @Override
  public void close() {
    server.shutdown();
  }
}
