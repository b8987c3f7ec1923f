package io.switchboard.fleetsim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ArgsParserTest {

  @Test
  void noArgumentsGiveTheDefaults() throws Exception {
    SimulatorSettings settings = ArgsParser.parse().orElseThrow();
    assertEquals(List.of(Target.parse("ws://127.0.0.1:4320/v1/opamp")), settings.targets());
    assertEquals(SimulatorSettings.ReconnectTo.SAME, settings.reconnectTo());
    assertEquals(100, settings.agents());
    assertEquals(Duration.ofSeconds(60), settings.duration());
    assertEquals(Duration.ofSeconds(10), settings.rampUp());
    assertEquals(Duration.ofSeconds(30), settings.heartbeat());
    assertEquals(0, settings.churnPerSecond());
    assertEquals(0, settings.applyFailureRatio());
    assertEquals(1, settings.sourceAddresses());
    assertEquals("/127.0.0.1:0", settings.localAddresses().get(0).toString());
    assertEquals(Optional.empty(), settings.report());
    assertEquals(Optional.empty(), settings.reportEvery());
  }

  @Test
  void everyFlagIsRead() throws Exception {
    SimulatorSettings settings =
        ArgsParser.parse(
                "--target",
                "ws://127.0.0.1:4320/v1/opamp",
                "--target=http://localhost:4321",
                "--reconnect-to",
                "other",
                "--agents",
                "5000",
                "--duration",
                "2m",
                "--ramp-up",
                "500ms",
                "--heartbeat",
                "15s",
                "--churn-per-second",
                "2.5",
                "--apply-failure-ratio",
                "0.1",
                "--source-addresses",
                "4",
                "--first-source-address",
                "127.0.0.9",
                "--report",
                "out/summary.json",
                "--report-every",
                "250ms")
            .orElseThrow();
    assertEquals(
        List.of(
            new Target(Target.Protocol.WEBSOCKET, URI.create("ws://127.0.0.1:4320/v1/opamp")),
            // localhost is pinned to 127.0.0.1, and the OpAMP path is the default.
            new Target(Target.Protocol.HTTP, URI.create("http://127.0.0.1:4321/v1/opamp"))),
        settings.targets());
    assertEquals(SimulatorSettings.ReconnectTo.OTHER, settings.reconnectTo());
    assertEquals(5000, settings.agents());
    assertEquals(Duration.ofMinutes(2), settings.duration());
    assertEquals(Duration.ofMillis(500), settings.rampUp());
    assertEquals(Duration.ofSeconds(15), settings.heartbeat());
    assertEquals(2.5, settings.churnPerSecond());
    assertEquals(0.1, settings.applyFailureRatio());
    assertEquals(4, settings.sourceAddresses());
    assertEquals(Optional.of(Path.of("out/summary.json")), settings.report());
    assertEquals(Optional.of(Duration.ofMillis(250)), settings.reportEvery());
    assertEquals(
        List.of("/127.0.0.9:0", "/127.0.0.10:0", "/127.0.0.11:0", "/127.0.0.12:0"),
        settings.localAddresses().stream().map(Object::toString).toList());
  }

  @Test
  void aSourceAddressRangeMayCrossAnOctet() throws Exception {
    SimulatorSettings settings =
        ArgsParser.parse("--first-source-address=127.0.0.253", "--source-addresses=4")
            .orElseThrow();
    assertEquals(
        List.of("/127.0.0.253:0", "/127.0.0.254:0", "/127.0.0.255:0", "/127.0.1.0:0"),
        settings.localAddresses().stream().map(Object::toString).toList());
  }

  @Test
  void helpAsksForTheUsageText() throws Exception {
    assertEquals(Optional.empty(), ArgsParser.parse("--agents", "10", "--help"));
    assertTrue(ArgsParser.USAGE.contains("--apply-failure-ratio"));
  }

  @Test
  void badInputIsRefusedWithAMessageNamingTheProblem() {
    assertRefused("unknown option --agent", "--agent", "10");
    assertRefused("--agents needs a value", "--agents");
    assertRefused("unexpected argument 'ten'", "ten");
    assertRefused("--agents takes a whole number, not 'ten'", "--agents", "ten");
    assertRefused("--agents must be between 1 and 19000", "--agents", "0");
    assertRefused("--agents must be between 1 and 19000", "--agents", "20000");
    assertRefused(
        "--duration takes a duration with a unit (500ms, 30s, 5m, 1h), not '60'",
        "--duration",
        "60");
    assertRefused(
        "--ramp-up (60s) must be at least 0 and shorter than --duration (60s)", "--ramp-up", "1m");
    assertRefused("--heartbeat must be at least 1s", "--heartbeat", "500ms");
    assertRefused(
        "--churn-per-second takes a number such as 0.5, not 'lots'", "--churn-per-second", "lots");
    assertRefused("--churn-per-second must be a number >= 0", "--churn-per-second", "-1");
    assertRefused(
        "--apply-failure-ratio must be between 0.0 and 1.0", "--apply-failure-ratio", "1.5");
    assertRefused(
        "--apply-failure-ratio must be between 0.0 and 1.0", "--apply-failure-ratio", "NaN");
    assertRefused("--source-addresses must be between 1 and 254", "--source-addresses", "300");
    assertRefused("--source-addresses must be between 1 and 254", "--source-addresses", "0");
    assertRefused(
        "--first-source-address takes a loopback IPv4 address such as 127.0.0.9, not '10.0.0.9'",
        "--first-source-address",
        "10.0.0.9");
    assertRefused(
        "--first-source-address takes a loopback IPv4 address",
        "--first-source-address",
        "localhost");
    assertRefused(
        "--first-source-address takes a loopback IPv4 address",
        "--first-source-address",
        "127.0.0.256");
    assertRefused(
        "--first-source-address takes a loopback IPv4 address",
        "--first-source-address",
        "127.0.0");
    assertRefused(
        "--first-source-address takes a loopback IPv4 address", "--first-source-address", "::1");
    assertRefused(
        "--first-source-address must be a loopback IPv4 address from 127.0.0.1 to 127.255.255.254, not 127.0.0.0",
        "--first-source-address",
        "127.0.0.0");
    assertRefused(
        "--first-source-address 127.255.255.250 with --source-addresses 10 runs past 127.255.255.254",
        "--first-source-address",
        "127.255.255.250",
        "--source-addresses",
        "10");
    assertRefused("--reconnect-to takes same or other, not 'next'", "--reconnect-to", "next");
    assertRefused("--report-every needs --report, the file to rewrite", "--report-every", "1s");
    assertRefused(
        "--report-every must be at least 100ms", "--report", "out.json", "--report-every", "50ms");
  }

  @Test
  void onlyLoopbackTargetsOverWebSocketOrHttpAreAccepted() {
    assertRefused(
        "only loopback targets (127.0.0.0/8 or localhost) are allowed, not 10.0.0.1",
        "--target",
        "ws://10.0.0.1:4320/v1/opamp");
    assertRefused(
        "only loopback targets (127.0.0.0/8 or localhost) are allowed, not example.com",
        "--target",
        "ws://example.com:4320/v1/opamp");
    assertRefused("needs a valid host and port", "--target", "ws://127.0.0.256:4320/v1/opamp");
    assertRefused("TLS is not supported", "--target", "wss://127.0.0.1:4320/v1/opamp");
    assertRefused(
        "must start with ws:// (WebSocket) or http:// (HTTP polling)",
        "--target",
        "tcp://127.0.0.1:4320");
    assertRefused("needs a valid host and port", "--target", "ws://127.0.0.1/v1/opamp");
  }

  private static void assertRefused(String expectedMessagePart, String... args) {
    UsageException refused = assertThrows(UsageException.class, () -> ArgsParser.parse(args));
    assertTrue(
        refused.getMessage().contains(expectedMessagePart),
        () -> "'" + refused.getMessage() + "' does not say '" + expectedMessagePart + "'");
  }
}
