package io.switchboard.api.auth.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.typesafe.config.ConfigFactory;
import io.switchboard.api.TestApi;
import io.switchboard.testkit.FreePorts;
import io.switchboard.testkit.HttpProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Single sign-on against a real OpenID provider: the code flow with PKCE through the API, groups
 * mapped to roles, and ID tokens from another issuer or with a bad signature refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SingleSignOnTest {

  private static final HttpClient NO_REDIRECTS =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final ObjectMapper json = new ObjectMapper();

  private OpenIdProvider provider;
  private TestApi api;

  @BeforeAll
  void start() {
    provider = new OpenIdProvider();
    Map<String, Object> settings = new HashMap<>(provider.settings(FreePorts.next()));
    settings.put("switchboard.api.auth.admin-password", "correct horse battery");
    api = TestApi.start(settings);
  }

  @AfterAll
  void stop() {
    api.close();
    provider.close();
  }

  @Test
  void anOperatorSignsInThroughTheProviderWithTheRoleTheirGroupsMapTo() throws Exception {
    provider.nextSignIn("alice", List.of("everyone", "fleet-ops"));
    URI callback = throughTheProvider();
    HttpResponse<String> signedIn = get(callback, Map.of());
    assertEquals(302, signedIn.statusCode(), signedIn.body());
    assertEquals("/", signedIn.headers().firstValue("Location").orElse(""));
    String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];

    JsonNode me =
        json.readTree(
            HttpProbe.send(api.port(), "GET", "/api/session", "", Map.of("Cookie", cookie)).body());
    assertEquals("alice", me.path("username").asText());
    assertEquals("OPERATOR", me.path("role").asText());
    assertEquals(
        "oidc", api.db().queryForString("SELECT source FROM operators WHERE username = 'alice'"));

    assertEquals(
        401, get(callback, Map.of()).statusCode(), "an answer is taken once: a replay is refused");

    // Next time the provider says fleet-admins: the role follows the provider.
    provider.nextSignIn("alice", List.of("fleet-admins"));
    HttpResponse<String> again = get(throughTheProvider(), Map.of());
    String adminCookie = again.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    assertEquals(
        "ADMIN",
        json.readTree(
                HttpProbe.send(api.port(), "GET", "/api/session", "", Map.of("Cookie", adminCookie))
                    .body())
            .path("role")
            .asText());
  }

  @Test
  void someoneInNoMappedGroupIsRefused() throws Exception {
    provider.nextSignIn("mallory", List.of("contractors"));
    HttpResponse<String> refused = get(throughTheProvider(), Map.of());
    assertEquals(401, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("none of the groups"), refused.body());
    assertTrue(refused.headers().firstValue("Set-Cookie").isEmpty());
    assertEquals(
        "0", api.db().queryForString("SELECT count(*) FROM operators WHERE username = 'mallory'"));
  }

  @Test
  void anIdTokenFromAnotherIssuerOrWithABadSignatureIsRefused() throws Exception {
    OidcClient client =
        new OidcClient(
            OidcSettings.fromConfig(
                ConfigFactory.parseMap(provider.settings(1))
                    .withFallback(ConfigFactory.load())
                    .getConfig("switchboard.api.auth.oidc")),
            Executors.newSingleThreadExecutor());
    Map<String, Object> claims = Map.of("nonce", "n-1", "preferred_username", "alice");
    SignedJWT good =
        provider
            .server()
            .issueToken(
                OpenIdProvider.ISSUER_ID,
                OpenIdProvider.CLIENT_ID,
                new DefaultOAuth2TokenCallback(
                    OpenIdProvider.ISSUER_ID,
                    "alice",
                    "JWT",
                    List.of(OpenIdProvider.CLIENT_ID),
                    claims,
                    3600));
    assertEquals("alice", client.validate(good, new Nonce("n-1")).getSubject().getValue());
    assertThrows(OidcClient.Refused.class, () -> client.validate(good, new Nonce("other")));

    SignedJWT otherIssuer =
        provider
            .server()
            .issueToken(
                "another-issuer",
                OpenIdProvider.CLIENT_ID,
                new DefaultOAuth2TokenCallback(
                    "another-issuer",
                    "alice",
                    "JWT",
                    List.of(OpenIdProvider.CLIENT_ID),
                    claims,
                    3600));
    OidcClient.Refused issuer =
        assertThrows(
            OidcClient.Refused.class, () -> client.validate(otherIssuer, new Nonce("n-1")));
    assertTrue(issuer.getMessage().contains("not valid"), issuer.getMessage());

    // The same claims and key id, signed by a key that is not the provider's.
    RSAKey foreign = new RSAKeyGenerator(2048).keyID(good.getHeader().getKeyID()).generate();
    SignedJWT forged =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(foreign.getKeyID()).build(),
            good.getJWTClaimsSet());
    forged.sign(new RSASSASigner(foreign));
    assertThrows(OidcClient.Refused.class, () -> client.validate(forged, new Nonce("n-1")));
  }

  @Test
  void withLocalAccountsOffOnlySingleSignOnSignsIn() {
    Map<String, Object> settings = new HashMap<>(provider.settings(FreePorts.next()));
    settings.put("switchboard.api.auth.local-accounts", false);
    settings.put("switchboard.api.auth.admin-password", "correct horse battery");
    try (TestApi ssoOnly = TestApi.start(settings)) {
      HttpResponse<String> refused =
          HttpProbe.send(
              ssoOnly.port(),
              "POST",
              "/api/session",
              "{\"username\": \"admin\", \"password\": \"correct horse battery\"}");
      assertEquals(403, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("local accounts are turned off"));
      assertTrue(
          HttpProbe.get(ssoOnly.port(), "/api/sign-in-options")
              .body()
              .contains("\"local_accounts\":false"));
    }
  }

  /** Starts a sign-in at the API, lets the provider answer, and returns the callback it sends. */
  private URI throughTheProvider() throws Exception {
    HttpResponse<String> toProvider =
        get(URI.create("http://127.0.0.1:" + api.port() + "/api/sso/login"), Map.of());
    assertEquals(302, toProvider.statusCode(), toProvider.body());
    URI authorize = URI.create(toProvider.headers().firstValue("Location").orElseThrow());
    assertTrue(authorize.getQuery().contains("code_challenge_method=S256"), authorize.toString());
    HttpResponse<String> back = get(authorize, Map.of());
    assertEquals(302, back.statusCode(), back.body());
    URI callback = URI.create(back.headers().firstValue("Location").orElseThrow());
    assertEquals(api.port(), callback.getPort());
    return callback;
  }

  private static HttpResponse<String> get(URI uri, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15));
    headers.forEach(request::header);
    return NO_REDIRECTS.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
