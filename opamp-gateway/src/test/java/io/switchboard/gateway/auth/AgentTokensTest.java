package io.switchboard.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentTokensTest {

  private final AgentTokens tokens =
      AgentTokens.of(Map.of("edge", "edge-secret", "core", "core-secret"));

  @Test
  void aValidBearerTokenNamesItsFleet() {
    assertEquals(Optional.of("edge"), tokens.fleetFor(Optional.of("Bearer edge-secret")));
    assertEquals(Optional.of("core"), tokens.fleetFor(Optional.of("bearer core-secret")));
  }

  @Test
  void missingWrongOrMalformedCredentialsAreRefused() {
    assertEquals(Optional.empty(), tokens.fleetFor(Optional.empty()));
    assertEquals(Optional.empty(), tokens.fleetFor(Optional.of("Bearer nope")));
    assertEquals(Optional.empty(), tokens.fleetFor(Optional.of("Basic ZWRnZS1zZWNyZXQ=")));
    assertEquals(Optional.empty(), tokens.fleetFor(Optional.of("edge-secret")));
  }

  @Test
  void withNoTokenConfiguredEveryAgentIsLetIn() {
    AgentTokens open = AgentTokens.fromConfig(ConfigFactory.parseString("tokens {}, token = \"\""));

    assertEquals(false, open.required());
    assertEquals(Optional.of("default"), open.fleetFor(Optional.empty()));
  }

  @Test
  void aSingleTokenFromTheEnvironmentGuardsTheDefaultFleet() {
    AgentTokens single =
        AgentTokens.fromConfig(ConfigFactory.parseString("tokens {}, token = \"s3cret\""));

    assertEquals(Optional.of("default"), single.fleetFor(Optional.of("Bearer s3cret")));
    assertEquals(Optional.empty(), single.fleetFor(Optional.empty()));
  }

  @Test
  void anEmptyTokenIsAConfigurationError() {
    assertThrows(IllegalArgumentException.class, () -> AgentTokens.of(Map.of("edge", " ")));
  }
}
