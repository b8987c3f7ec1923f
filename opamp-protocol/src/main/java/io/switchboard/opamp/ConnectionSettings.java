package io.switchboard.opamp;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.Header;
import io.switchboard.opamp.proto.Headers;
import io.switchboard.opamp.proto.OpAMPConnectionSettings;
import io.switchboard.opamp.proto.OtherConnectionSettings;
import io.switchboard.opamp.proto.TLSCertificate;
import io.switchboard.opamp.proto.TelemetryConnectionSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

/**
 * Connection settings offers. What an agent is offered is built in layers (the fleet's from
 * configuration, then anything more specific, such as one agent's from an operator's command, each
 * overlaying the one below), then cut to what the agent's capabilities allow, its sealed secrets
 * opened, and hashed.
 */
public final class ConnectionSettings {

  private ConnectionSettings() {}

  /**
   * An offer of this heartbeat interval alone. Its hash is the SHA-256 of the offered settings, so
   * an agent sees the same hash for the same offer on every node.
   */
  public static ConnectionSettingsOffers offer(Duration heartbeatInterval) {
    return hashed(
        ConnectionSettingsOffers.newBuilder()
            .setOpamp(
                OpAMPConnectionSettings.newBuilder()
                    .setHeartbeatIntervalSeconds(heartbeatInterval.toSeconds()))
            .build());
  }

  /**
   * {@code upper} over {@code lower}: in the OpAMP settings, each field {@code upper} sets wins;
   * each own-telemetry part {@code upper} sets replaces {@code lower}'s; other connections are
   * merged by name, {@code upper}'s winning. The hash is left out (see {@link #forAgent}).
   */
  public static ConnectionSettingsOffers overlay(
      ConnectionSettingsOffers lower, ConnectionSettingsOffers upper) {
    ConnectionSettingsOffers.Builder merged = lower.toBuilder().clearHash();
    if (upper.hasOpamp()) {
      OpAMPConnectionSettings top = upper.getOpamp();
      OpAMPConnectionSettings.Builder opamp = lower.getOpamp().toBuilder();
      if (top.getHeartbeatIntervalSeconds() != 0) {
        opamp.setHeartbeatIntervalSeconds(top.getHeartbeatIntervalSeconds());
      }
      if (!top.getDestinationEndpoint().isEmpty()) {
        opamp.setDestinationEndpoint(top.getDestinationEndpoint());
      }
      if (top.hasHeaders()) {
        opamp.setHeaders(top.getHeaders());
      }
      if (top.hasCertificate()) {
        opamp.setCertificate(top.getCertificate());
      }
      if (top.hasTls()) {
        opamp.setTls(top.getTls());
      }
      merged.setOpamp(opamp);
    }
    if (upper.hasOwnMetrics()) {
      merged.setOwnMetrics(upper.getOwnMetrics());
    }
    if (upper.hasOwnTraces()) {
      merged.setOwnTraces(upper.getOwnTraces());
    }
    if (upper.hasOwnLogs()) {
      merged.setOwnLogs(upper.getOwnLogs());
    }
    merged.putAllOtherConnections(upper.getOtherConnectionsMap());
    return merged.build();
  }

  /**
   * What an agent with these capabilities may be offered of {@code offers} (the spec's rule: opamp
   * with AcceptsOpAMPConnectionSettings, own_metrics/traces/logs with
   * ReportsOwnMetrics/Traces/Logs, other_connections with AcceptsOtherConnectionSettings), secrets
   * opened, and hashed; null when nothing is left.
   *
   * @throws IllegalArgumentException when a sealed secret cannot be opened with {@code secrets}
   */
  public static ConnectionSettingsOffers forAgent(
      ConnectionSettingsOffers offers, long capabilities, ConnectionSecrets secrets) {
    ConnectionSettingsOffers.Builder offer = ConnectionSettingsOffers.newBuilder();
    if (offers.hasOpamp()
        && has(capabilities, AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings)) {
      OpAMPConnectionSettings.Builder opamp = offers.getOpamp().toBuilder();
      if (opamp.hasHeaders()) {
        opamp.setHeaders(open(opamp.getHeaders(), secrets));
      }
      if (opamp.hasCertificate()) {
        opamp.setCertificate(open(opamp.getCertificate(), secrets));
      }
      offer.setOpamp(opamp);
    }
    if (offers.hasOwnMetrics()
        && has(capabilities, AgentCapabilities.AgentCapabilities_ReportsOwnMetrics)) {
      offer.setOwnMetrics(open(offers.getOwnMetrics(), secrets));
    }
    if (offers.hasOwnTraces()
        && has(capabilities, AgentCapabilities.AgentCapabilities_ReportsOwnTraces)) {
      offer.setOwnTraces(open(offers.getOwnTraces(), secrets));
    }
    if (offers.hasOwnLogs()
        && has(capabilities, AgentCapabilities.AgentCapabilities_ReportsOwnLogs)) {
      offer.setOwnLogs(open(offers.getOwnLogs(), secrets));
    }
    if (has(capabilities, AgentCapabilities.AgentCapabilities_AcceptsOtherConnectionSettings)) {
      offers
          .getOtherConnectionsMap()
          .forEach((name, other) -> offer.putOtherConnections(name, open(other, secrets)));
    }
    ConnectionSettingsOffers built = offer.build();
    return built.equals(ConnectionSettingsOffers.getDefaultInstance()) ? null : hashed(built);
  }

  /**
   * The offer with its hash: the SHA-256 of its deterministic protobuf encoding (map entries in key
   * order), so that the same settings hash alike on every node and in every session.
   */
  public static ConnectionSettingsOffers hashed(ConnectionSettingsOffers offers) {
    ConnectionSettingsOffers unhashed = offers.toBuilder().clearHash().build();
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization();
      unhashed.writeTo(out);
      out.flush();
      return unhashed.toBuilder()
          .setHash(
              ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray())))
          .build();
    } catch (NoSuchAlgorithmException | IOException e) {
      throw new IllegalStateException("every JVM has SHA-256, and memory takes any write", e);
    }
  }

  private static boolean has(long capabilities, AgentCapabilities capability) {
    return (capabilities & capability.getNumber()) != 0;
  }

  private static TelemetryConnectionSettings open(
      TelemetryConnectionSettings settings, ConnectionSecrets secrets) {
    TelemetryConnectionSettings.Builder opened = settings.toBuilder();
    if (opened.hasHeaders()) {
      opened.setHeaders(open(opened.getHeaders(), secrets));
    }
    if (opened.hasCertificate()) {
      opened.setCertificate(open(opened.getCertificate(), secrets));
    }
    return opened.build();
  }

  private static OtherConnectionSettings open(
      OtherConnectionSettings settings, ConnectionSecrets secrets) {
    OtherConnectionSettings.Builder opened = settings.toBuilder();
    if (opened.hasHeaders()) {
      opened.setHeaders(open(opened.getHeaders(), secrets));
    }
    if (opened.hasCertificate()) {
      opened.setCertificate(open(opened.getCertificate(), secrets));
    }
    return opened.build();
  }

  private static Headers open(Headers headers, ConnectionSecrets secrets) {
    Headers.Builder opened = Headers.newBuilder();
    for (Header header : headers.getHeadersList()) {
      opened.addHeaders(header.toBuilder().setValue(secrets.open(header.getValue())));
    }
    return opened.build();
  }

  private static TLSCertificate open(TLSCertificate certificate, ConnectionSecrets secrets) {
    String key = certificate.getPrivateKey().toStringUtf8();
    return ConnectionSecrets.isSealed(key)
        ? certificate.toBuilder()
            .setPrivateKey(ByteString.copyFrom(secrets.open(key), StandardCharsets.UTF_8))
            .build()
        : certificate;
  }
}
