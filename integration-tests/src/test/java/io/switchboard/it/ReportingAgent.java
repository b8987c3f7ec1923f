package io.switchboard.it;

import io.opentelemetry.opamp.client.OpampClient;
import io.opentelemetry.opamp.client.internal.response.MessageData;
import opamp.proto.AgentRemoteConfig;
import opamp.proto.RemoteConfigStatus;
import opamp.proto.RemoteConfigStatuses;
import opamp.proto.ServerErrorResponse;

/**
 * Callbacks for the OpenTelemetry OpAMP client: reports every remote config it gets with one
 * outcome, APPLIED as a healthy agent would, or FAILED as one whose check refuses it.
 */
public final class ReportingAgent implements OpampClient.Callbacks {

  private final RemoteConfigStatuses outcome;

  public ReportingAgent(RemoteConfigStatuses outcome) {
    this.outcome = outcome;
  }

  public static ReportingAgent applying() {
    return new ReportingAgent(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED);
  }

  @Override
  public void onConnect(OpampClient client) {}

  @Override
  public void onConnectFailed(OpampClient client, Throwable throwable) {}

  @Override
  public void onErrorResponse(OpampClient client, ServerErrorResponse errorResponse) {}

  @Override
  public void onMessage(OpampClient client, MessageData messageData) {
    AgentRemoteConfig remoteConfig = messageData.getRemoteConfig();
    if (remoteConfig != null) {
      client.setRemoteConfigStatus(
          new RemoteConfigStatus.Builder()
              .last_remote_config_hash(remoteConfig.config_hash)
              .status(outcome)
              .error_message(
                  outcome == RemoteConfigStatuses.RemoteConfigStatuses_FAILED
                      ? "the agent's check refused it"
                      : "")
              .build());
    }
  }
}
