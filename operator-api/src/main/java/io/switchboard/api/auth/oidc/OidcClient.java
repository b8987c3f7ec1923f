package io.switchboard.api.auth.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The OpenID Connect relying party, through the Nimbus OAuth 2.0 / OIDC SDK: the provider's
 * metadata from its discovery document (read at first use, then kept), the authorization request
 * (code flow with PKCE S256, a state and a nonce), the code exchange and the ID token's validation
 * (signature against the provider's JWKS, issuer, audience, expiry, nonce). The SDK's HTTP calls
 * block, so they run on the given executor.
 */
public final class OidcClient {

  /** A new sign-in: where to send the browser, and what its answer must match. */
  public record Start(URI authorizationUri, String state, String codeVerifier, String nonce) {}

  /** Who signed in, as the ID token says. */
  public record Identity(String username, List<String> groups) {}

  /** The provider's answer was refused; the message says why, for the operator. */
  public static final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message);
    }
  }

  private final OidcSettings settings;
  private final Executor executor;
  private final AtomicReference<OIDCProviderMetadata> metadata = new AtomicReference<>();
  private final AtomicReference<IDTokenValidator> validator = new AtomicReference<>();

  public OidcClient(OidcSettings settings, Executor executor) {
    this.settings = settings;
    this.executor = executor;
  }

  public CompletionStage<Start> start() {
    return CompletableFuture.supplyAsync(
        () -> {
          OIDCProviderMetadata provider = metadata();
          State state = new State();
          Nonce nonce = new Nonce();
          CodeVerifier verifier = new CodeVerifier();
          Scope scope = new Scope("openid");
          settings.scopes().forEach(scope::add);
          AuthenticationRequest request =
              new AuthenticationRequest.Builder(
                      new ResponseType(ResponseType.Value.CODE),
                      scope,
                      new ClientID(settings.clientId()),
                      settings.redirectUri())
                  .endpointURI(provider.getAuthorizationEndpointURI())
                  .state(state)
                  .nonce(nonce)
                  .codeChallenge(verifier, CodeChallengeMethod.S256)
                  .build();
          return new Start(
              request.toURI(), state.getValue(), verifier.getValue(), nonce.getValue());
        },
        executor);
  }

  /** Exchanges the code for tokens and validates the ID token; fails with {@link Refused}. */
  public CompletionStage<Identity> finish(String code, String codeVerifier, String nonce) {
    return CompletableFuture.supplyAsync(
        () -> {
          OIDCProviderMetadata provider = metadata();
          AuthorizationCodeGrant grant =
              new AuthorizationCodeGrant(
                  new AuthorizationCode(code),
                  settings.redirectUri(),
                  new CodeVerifier(codeVerifier));
          ClientID client = new ClientID(settings.clientId());
          TokenRequest request =
              settings.clientSecret().isEmpty()
                  ? new TokenRequest(provider.getTokenEndpointURI(), client, grant)
                  : new TokenRequest(
                      provider.getTokenEndpointURI(),
                      new ClientSecretBasic(client, new Secret(settings.clientSecret())),
                      grant);
          TokenResponse response;
          try {
            response = OIDCTokenResponseParser.parse(request.toHTTPRequest().send());
          } catch (IOException | ParseException e) {
            throw new Refused("the provider's token endpoint failed: " + e.getMessage());
          }
          if (!response.indicatesSuccess()) {
            throw new Refused(
                "the provider refused the code: "
                    + response.toErrorResponse().getErrorObject().getDescription());
          }
          JWT idToken =
              ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
          return identity(validate(idToken, new Nonce(nonce)));
        },
        executor);
  }

  /** Validates an ID token: signature, issuer, audience, expiry and nonce. */
  public IDTokenClaimsSet validate(JWT idToken, Nonce nonce) {
    try {
      return validator().validate(idToken, nonce);
    } catch (BadJOSEException | JOSEException e) {
      throw new Refused("the ID token is not valid: " + e.getMessage());
    }
  }

  private Identity identity(IDTokenClaimsSet claims) {
    Object name = claims.getClaim(settings.usernameClaim());
    String username = name instanceof String text && !text.isBlank() ? text : null;
    if (username == null) {
      throw new Refused(
          "the ID token has no " + settings.usernameClaim() + " claim to name you by");
    }
    Object groups = claims.getClaim(settings.groupsClaim());
    List<String> held =
        groups instanceof List<?> list
            ? list.stream().map(String::valueOf).toList()
            : groups instanceof String single ? List.of(single) : List.of();
    return new Identity(username, held);
  }

  private IDTokenValidator validator() {
    IDTokenValidator known = validator.get();
    if (known != null) {
      return known;
    }
    OIDCProviderMetadata provider = metadata();
    List<JWSAlgorithm> offered =
        Optional.ofNullable(provider.getIDTokenJWSAlgs()).orElse(List.of(JWSAlgorithm.RS256));
    JWSAlgorithm algorithm =
        offered.contains(JWSAlgorithm.RS256) ? JWSAlgorithm.RS256 : offered.get(0);
    try {
      IDTokenValidator made =
          new IDTokenValidator(
              provider.getIssuer(),
              new ClientID(settings.clientId()),
              algorithm,
              provider.getJWKSetURI().toURL());
      validator.compareAndSet(null, made);
      return validator.get();
    } catch (IOException e) {
      throw new Refused("the provider's JWKS URL is unusable: " + e.getMessage());
    }
  }

  private OIDCProviderMetadata metadata() {
    OIDCProviderMetadata known = metadata.get();
    if (known != null) {
      return known;
    }
    try {
      OIDCProviderMetadata resolved = OIDCProviderMetadata.resolve(new Issuer(settings.issuer()));
      metadata.compareAndSet(null, resolved);
      return metadata.get();
    } catch (IOException | com.nimbusds.oauth2.sdk.GeneralException e) {
      throw new Refused(
          "the OpenID provider " + settings.issuer() + " cannot be reached: " + e.getMessage());
    }
  }
}
