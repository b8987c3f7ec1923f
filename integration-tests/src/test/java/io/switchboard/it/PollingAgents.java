package io.switchboard.it;

import com.google.protobuf.ByteString;
import io.opentelemetry.opamp.client.OpampClient;
import io.opentelemetry.opamp.client.OpampClientBuilder;
import io.opentelemetry.opamp.client.internal.connectivity.http.OkHttpSender;
import io.opentelemetry.opamp.client.internal.request.delay.PeriodicDelay;
import io.opentelemetry.opamp.client.internal.request.service.HttpRequestService;
import io.switchboard.opamp.InstanceUid;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import opamp.proto.RemoteConfigStatuses;

/**
 * A fleet of OpenTelemetry Java OpAMP clients polling a node over HTTP every second, each answering
 * every remote config with one outcome. Polling agents keep polling through a node restart and
 * (unlike this client over WebSocket, which answers ReportFullState only with its 30 s heartbeat)
 * describe themselves within a second.
 */
public final class PollingAgents implements AutoCloseable {

  private final int opampPort;
  private final List<OpampClient> clients = new ArrayList<>();

  public PollingAgents(int opampPort) {
    this.opampPort = opampPort;
  }

  /**
   * A new agent with {@code service.name} {@code service} that answers every config {@code
   * outcome}.
   */
  public void connect(String service, RemoteConfigStatuses outcome) {
    byte[] uid = OpampClientBuilder.createRandomInstanceUid();
    PeriodicDelay everySecond = PeriodicDelay.ofFixedDuration(Duration.ofSeconds(1));
    clients.add(
        OpampClient.builder()
            .setInstanceUid(uid)
            .setRequestService(
                HttpRequestService.create(
                    OkHttpSender.create("http://127.0.0.1:" + opampPort + "/v1/opamp"),
                    everySecond,
                    everySecond))
            .putIdentifyingAttribute("service.name", service)
            .putIdentifyingAttribute(
                "service.instance.id", InstanceUid.toText(ByteString.copyFrom(uid)))
            .enableRemoteConfig()
            .build(new ReportingAgent(outcome)));
  }

  @Override
  public void close() throws IOException {
    for (OpampClient client : clients) {
      client.close();
    }
  }
}
