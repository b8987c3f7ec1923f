package io.switchboard.cluster.agent;

import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.switchboard.opamp.ConnectionSecrets;
import io.switchboard.opamp.ConnectionSettings;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.Header;
import io.switchboard.opamp.proto.Headers;
import io.switchboard.opamp.proto.OpAMPConnectionSettings;
import io.switchboard.opamp.proto.OtherConnectionSettings;
import io.switchboard.opamp.proto.TLSCertificate;
import io.switchboard.opamp.proto.TLSConnectionSettings;
import io.switchboard.opamp.proto.TelemetryConnectionSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The fleet's connection settings ({@code switchboard.agent.connection-settings}) and the secrets
 * key ({@code switchboard.secrets}), read from configuration once. Header values there are plain
 * (configuration can take them from the environment by reference, {@code ${?VAR}}): they never
 * reach the database or the API.
 */
public final class ConnectionSettingsConfig {

  private ConnectionSettingsConfig() {}

  /** The key secret values are sealed with. */
  public static ConnectionSecrets secrets(Config switchboard) {
    Config secrets = switchboard.getConfig("secrets");
    return ConnectionSecrets.configured(secrets.getString("key"), secrets.getString("key-file"));
  }

  /** What every agent is offered: the heartbeat interval and whatever else is configured. */
  static ConnectionSettingsOffers fleet(Config agent) {
    Config settings = agent.getConfig("connection-settings");
    ConnectionSettingsOffers.Builder offers =
        ConnectionSettings.offer(agent.getDuration("heartbeat-interval")).toBuilder().clearHash();
    Config opamp = settings.getConfig("opamp");
    OpAMPConnectionSettings.Builder opampSettings = offers.getOpamp().toBuilder();
    if (!opamp.getString("destination-endpoint").isEmpty()) {
      opampSettings.setDestinationEndpoint(opamp.getString("destination-endpoint"));
    }
    if (!opamp.getConfig("headers").isEmpty()) {
      opampSettings.setHeaders(headers(opamp.getConfig("headers")));
    }
    offers.setOpamp(opampSettings);
    telemetry(settings.getConfig("own-metrics")).ifPresent(offers::setOwnMetrics);
    telemetry(settings.getConfig("own-traces")).ifPresent(offers::setOwnTraces);
    telemetry(settings.getConfig("own-logs")).ifPresent(offers::setOwnLogs);
    Config others = settings.getConfig("other-connections");
    for (String name : new TreeMap<>(others.root()).keySet()) {
      Config other = others.getConfig(quoted(name));
      OtherConnectionSettings.Builder connection =
          OtherConnectionSettings.newBuilder()
              .setDestinationEndpoint(string(other, "destination-endpoint"));
      if (other.hasPath("headers")) {
        connection.setHeaders(headers(other.getConfig("headers")));
      }
      if (other.hasPath("other-settings")) {
        for (Map.Entry<String, ConfigValue> setting :
            new TreeMap<>(other.getConfig("other-settings").root()).entrySet()) {
          connection.putOtherSettings(
              setting.getKey(), String.valueOf(setting.getValue().unwrapped()));
        }
      }
      tls(other).ifPresent(connection::setTls);
      certificate(other).ifPresent(connection::setCertificate);
      offers.putOtherConnections(name, connection.build());
    }
    return offers.build();
  }

  private static Optional<TelemetryConnectionSettings> telemetry(Config part) {
    if (part.getString("destination-endpoint").isEmpty()) {
      return Optional.empty();
    }
    TelemetryConnectionSettings.Builder settings =
        TelemetryConnectionSettings.newBuilder()
            .setDestinationEndpoint(part.getString("destination-endpoint"));
    if (!part.getConfig("headers").isEmpty()) {
      settings.setHeaders(headers(part.getConfig("headers")));
    }
    tls(part).ifPresent(settings::setTls);
    certificate(part).ifPresent(settings::setCertificate);
    return Optional.of(settings.build());
  }

  private static Optional<TLSConnectionSettings> tls(Config part) {
    String ca = string(part, "ca-pem-file");
    return ca.isEmpty()
        ? Optional.empty()
        : Optional.of(TLSConnectionSettings.newBuilder().setCaPemContents(read(ca)).build());
  }

  private static Optional<TLSCertificate> certificate(Config part) {
    String cert = string(part, "certificate-pem-file");
    if (cert.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        TLSCertificate.newBuilder()
            .setCert(ByteString.copyFromUtf8(read(cert)))
            .setPrivateKey(ByteString.copyFromUtf8(read(string(part, "private-key-pem-file"))))
            .build());
  }

  private static Headers headers(Config headers) {
    Headers.Builder built = Headers.newBuilder();
    new TreeMap<>(headers.root().unwrapped())
        .forEach(
            (key, value) ->
                built.addHeaders(
                    Header.newBuilder().setKey(key).setValue(String.valueOf(value)).build()));
    return built.build();
  }

  private static String string(Config part, String path) {
    return part.hasPath(path) ? part.getString(path) : "";
  }

  private static String quoted(String key) {
    return "\"" + key.replace("\"", "\\\"") + "\"";
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
