package io.switchboard.gateway.limits;

import com.typesafe.config.Config;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AvailableComponents;
import io.switchboard.opamp.proto.ComponentDetails;
import io.switchboard.opamp.proto.ComponentHealth;
import java.util.Optional;

/**
 * What one agent message may hold, checked before it goes anywhere (no entity, no database sees a
 * message over these), from {@code switchboard.opamp.limits}. The message as a whole is bounded by
 * {@code switchboard.opamp.max-message-size} already; these bound what an agent's state keeps in
 * memory and in its row.
 *
 * @param descriptionBytes largest agent_description
 * @param effectiveConfigBytes largest effective_config
 * @param healthBytes largest health, all components included
 * @param healthDepth deepest nesting of component_health_map
 * @param healthComponents most components in the health tree
 * @param customMessageBytes largest custom message
 * @param customCapabilities most custom capabilities an agent declares
 * @param availableComponentsBytes largest available_components
 * @param availableComponentsCount most components in the available_components tree
 * @param availableComponentsDepth deepest nesting of available_components
 */
public record MessageLimits(
    long descriptionBytes,
    long effectiveConfigBytes,
    long healthBytes,
    int healthDepth,
    int healthComponents,
    long customMessageBytes,
    int customCapabilities,
    long availableComponentsBytes,
    int availableComponentsCount,
    int availableComponentsDepth) {

  /**
   * A limit a message went over: the {@code reason} tag of the refusal metric, and what it says.
   */
  public record Violation(String reason, String detail) {}

  public static MessageLimits fromConfig(Config limits) {
    return new MessageLimits(
        limits.getBytes("description"),
        limits.getBytes("effective-config"),
        limits.getBytes("health"),
        limits.getInt("health-depth"),
        limits.getInt("health-components"),
        limits.getBytes("custom-message"),
        limits.getInt("custom-capabilities"),
        limits.getBytes("available-components"),
        limits.getInt("available-components-count"),
        limits.getInt("available-components-depth"));
  }

  /** The first limit the message goes over, if any. */
  public Optional<Violation> check(AgentToServer message) {
    if (message.hasAgentDescription()
        && message.getAgentDescription().getSerializedSize() > descriptionBytes) {
      return over(
          "description-too-large",
          "agent_description",
          message.getAgentDescription().getSerializedSize(),
          descriptionBytes);
    }
    if (message.hasEffectiveConfig()
        && message.getEffectiveConfig().getSerializedSize() > effectiveConfigBytes) {
      return over(
          "effective-config-too-large",
          "effective_config",
          message.getEffectiveConfig().getSerializedSize(),
          effectiveConfigBytes);
    }
    if (message.hasHealth()) {
      ComponentHealth health = message.getHealth();
      if (health.getSerializedSize() > healthBytes) {
        return over("health-too-large", "health", health.getSerializedSize(), healthBytes);
      }
      int[] components = {0};
      int depth = depth(health, components);
      if (depth > healthDepth) {
        return Optional.of(
            new Violation(
                "health-too-deep",
                "health nests components " + depth + " deep; the limit is " + healthDepth));
      }
      if (components[0] > healthComponents) {
        return Optional.of(
            new Violation(
                "health-too-many-components",
                "health holds " + components[0] + " components; the limit is " + healthComponents));
      }
    }
    if (message.hasCustomMessage()
        && message.getCustomMessage().getSerializedSize() > customMessageBytes) {
      return over(
          "custom-message-too-large",
          "custom_message",
          message.getCustomMessage().getSerializedSize(),
          customMessageBytes);
    }
    if (message.hasCustomCapabilities()
        && message.getCustomCapabilities().getCapabilitiesCount() > customCapabilities) {
      return Optional.of(
          new Violation(
              "too-many-custom-capabilities",
              "custom_capabilities declares "
                  + message.getCustomCapabilities().getCapabilitiesCount()
                  + " capabilities; the limit is "
                  + customCapabilities));
    }
    if (message.hasAvailableComponents()) {
      return checkComponents(message.getAvailableComponents());
    }
    return Optional.empty();
  }

  private Optional<Violation> checkComponents(AvailableComponents available) {
    if (available.getSerializedSize() > availableComponentsBytes) {
      return over(
          "available-components-too-large",
          "available_components",
          available.getSerializedSize(),
          availableComponentsBytes);
    }
    int[] count = {0};
    int depth = 0;
    for (ComponentDetails component : available.getComponentsMap().values()) {
      count[0]++;
      depth = Math.max(depth, componentDepth(component, count));
    }
    if (depth > availableComponentsDepth) {
      return Optional.of(
          new Violation(
              "available-components-too-deep",
              "available_components nests components "
                  + depth
                  + " deep; the limit is "
                  + availableComponentsDepth));
    }
    if (count[0] > availableComponentsCount) {
      return Optional.of(
          new Violation(
              "available-components-too-many",
              "available_components holds "
                  + count[0]
                  + " components; the limit is "
                  + availableComponentsCount));
    }
    return Optional.empty();
  }

  /** The depth of one component (1 without sub-components), counting them as it goes. */
  private static int componentDepth(ComponentDetails component, int[] count) {
    int deepest = 0;
    for (ComponentDetails sub : component.getSubComponentMapMap().values()) {
      count[0]++;
      deepest = Math.max(deepest, componentDepth(sub, count));
    }
    return deepest + 1;
  }

  private static Optional<Violation> over(String reason, String part, long size, long limit) {
    return Optional.of(
        new Violation(reason, part + " is " + size + " bytes; the limit is " + limit + " bytes"));
  }

  /**
   * The depth of the component tree (1 for health without components), counting components as it
   * goes.
   */
  private static int depth(ComponentHealth health, int[] components) {
    int deepest = 0;
    for (ComponentHealth component : health.getComponentHealthMapMap().values()) {
      components[0]++;
      deepest = Math.max(deepest, depth(component, components));
    }
    return deepest + 1;
  }
}
