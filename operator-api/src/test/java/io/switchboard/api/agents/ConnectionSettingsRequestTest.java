package io.switchboard.api.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.opamp.ConnectionSecrets;
import io.switchboard.opamp.proto.ServerToAgent;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/**
 * An operator's connection settings: bounded, refused with a reason, secrets sealed in the command
 * and shown as "<secret>" in what is stored for people to read.
 */
class ConnectionSettingsRequestTest {

  private final ObjectMapper json = new ObjectMapper();

  private static ConnectionSecrets key() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return ConnectionSecrets.of(key);
  }

  private ConnectionSettingsRequest parse(String body) throws Exception {
    return json.readValue(body, ConnectionSettingsRequest.class);
  }

  @Test
  void secretsAreSealedInTheCommandAndHiddenInThePayload() throws Exception {
    ConnectionSecrets secrets = key();
    ConnectionSettingsRequest request =
        parse(
            """
            {"own_logs": {"destination_endpoint": "https://logs:4318/v1/logs",
              "secret_headers": {"Authorization": "Bearer s3cret"},
              "certificate": {"cert_pem": "CERT", "private_key_pem": "KEY"}}}
            """);
    assertNull(request.validate(secrets));
    ServerToAgent message = request.toMessage(secrets);
    String header =
        message.getConnectionSettings().getOwnLogs().getHeaders().getHeaders(0).getValue();
    assertTrue(ConnectionSecrets.isSealed(header));
    assertEquals("Bearer s3cret", secrets.open(header));
    assertFalse(message.toString().contains("s3cret"));
    assertFalse(
        message
            .getConnectionSettings()
            .getOwnLogs()
            .getCertificate()
            .getPrivateKey()
            .toStringUtf8()
            .contains("KEY"));
    String payload = json.writeValueAsString(request.shown());
    assertTrue(payload.contains("<secret>"), payload);
    assertFalse(payload.contains("s3cret"), payload);
    assertFalse(payload.contains("\"KEY\""), payload);
  }

  @Test
  void secretsWithoutAKeyAndUnboundedSettingsAreRefused() throws Exception {
    assertTrue(
        parse("{\"opamp\": {\"secret_headers\": {\"Authorization\": \"x\"}}}")
            .validate(ConnectionSecrets.none())
            .contains("no secrets key"));
    assertTrue(parse("{}").validate(key()).startsWith("give heartbeat_interval_seconds"));
    assertTrue(parse("{\"heartbeat_interval_seconds\": 0}").validate(key()).contains("1 to 86400"));
    assertTrue(
        parse("{\"own_metrics\": {\"destination_endpoint\": \"ftp://x\"}}")
            .validate(key())
            .contains("http(s) or ws(s) URL"));
    assertTrue(parse("{\"own_traces\": {}}").validate(key()).contains("is required"));
    assertTrue(
        parse(
                "{\"own_logs\": {\"destination_endpoint\": \"https://x\", \"headers\": {\"a b\": \"1\"}}}")
            .validate(key())
            .contains("is not a header name"));
    StringBuilder many =
        new StringBuilder(
            "{\"own_logs\": {\"destination_endpoint\": \"https://x\", \"headers\": {");
    for (int i = 0; i < 33; i++) {
      many.append(i == 0 ? "" : ",").append("\"h").append(i).append("\": \"v\"");
    }
    many.append("}}}");
    assertTrue(parse(many.toString()).validate(key()).contains("at most 32 headers"));
    assertTrue(
        parse("{\"opamp\": {\"certificate\": {\"cert_pem\": \"x\"}}}")
            .validate(key())
            .contains("agents ask for one"));
    String longValue = "v".repeat(8193);
    assertTrue(
        parse(
                "{\"own_logs\": {\"destination_endpoint\": \"https://x\", \"headers\": {\"h\": \""
                    + longValue
                    + "\"}}}")
            .validate(key())
            .contains("at most 8192"));
  }
}
