package io.switchboard.dispatch;

import io.switchboard.opamp.ConfigHash;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentRemoteConfig;
import io.switchboard.opamp.proto.ServerToAgent;

/** A config map as agents receive it: an AgentRemoteConfig with the hash they report back. */
public final class RemoteConfigs {

  private RemoteConfigs() {}

  /** The ServerToAgent part that offers this config, with the hash agents report back. */
  public static ServerToAgent message(AgentConfigMap config) {
    return ServerToAgent.newBuilder()
        .setRemoteConfig(
            AgentRemoteConfig.newBuilder().setConfig(config).setConfigHash(ConfigHash.of(config)))
        .build();
  }
}
