package io.switchboard.cluster.agent;

import io.switchboard.opamp.proto.AgentCapabilities;
import io.switchboard.opamp.proto.ConnectionSettingsOffers;
import io.switchboard.opamp.proto.ServerToAgent;

/** Why an agent cannot take what an operator's command would send it, by its capabilities. */
final class Refusals {

  private Refusals() {}

  /**
   * Why the agent cannot take this message, or null if it can. An agent that has not told its
   * capabilities yet (0) is given the benefit of the doubt until it does.
   */
  static String of(ServerToAgent message, AgentState state) {
    if (state.capabilities() == 0) {
      return null;
    }
    if (message.hasRemoteConfig()
        && !state.hasCapability(AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE)) {
      return "the agent does not accept remote configuration";
    }
    if (message.hasCommand()
        && !state.hasCapability(AgentCapabilities.AgentCapabilities_AcceptsRestartCommand_VALUE)) {
      return "the agent does not accept the restart command";
    }
    if (message.hasConnectionSettings()) {
      String refused = connectionSettingsRefusal(message.getConnectionSettings(), state);
      if (refused != null) {
        return refused;
      }
    }
    if (message.hasPackagesAvailable()
        && !state.hasCapability(AgentCapabilities.AgentCapabilities_AcceptsPackages_VALUE)) {
      return "the agent does not accept packages";
    }
    if (message.hasCustomMessage()
        && !state.hasCustomCapability(message.getCustomMessage().getCapability())) {
      return "the agent does not declare the custom capability "
          + message.getCustomMessage().getCapability();
    }
    return null;
  }

  /** Why the agent cannot take a part of these connection settings, or null if it can. */
  private static String connectionSettingsRefusal(
      ConnectionSettingsOffers offers, AgentState state) {
    if (offers.hasOpamp()
        && !state.hasCapability(
            AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings_VALUE)) {
      return "the agent does not accept connection settings";
    }
    if (offers.hasOwnMetrics()
        && !state.hasCapability(AgentCapabilities.AgentCapabilities_ReportsOwnMetrics_VALUE)) {
      return "the agent does not report its own metrics (ReportsOwnMetrics)";
    }
    if (offers.hasOwnTraces()
        && !state.hasCapability(AgentCapabilities.AgentCapabilities_ReportsOwnTraces_VALUE)) {
      return "the agent does not report its own traces (ReportsOwnTraces)";
    }
    if (offers.hasOwnLogs()
        && !state.hasCapability(AgentCapabilities.AgentCapabilities_ReportsOwnLogs_VALUE)) {
      return "the agent does not report its own logs (ReportsOwnLogs)";
    }
    if (offers.getOtherConnectionsCount() > 0
        && !state.hasCapability(
            AgentCapabilities.AgentCapabilities_AcceptsOtherConnectionSettings_VALUE)) {
      return "the agent does not accept other connection settings";
    }
    return null;
  }
}
