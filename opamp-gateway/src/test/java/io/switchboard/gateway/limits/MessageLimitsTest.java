package io.switchboard.gateway.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import io.switchboard.opamp.proto.AgentDescription;
import io.switchboard.opamp.proto.AgentToServer;
import io.switchboard.opamp.proto.AnyValue;
import io.switchboard.opamp.proto.AvailableComponents;
import io.switchboard.opamp.proto.ComponentDetails;
import io.switchboard.opamp.proto.ComponentHealth;
import io.switchboard.opamp.proto.CustomCapabilities;
import io.switchboard.opamp.proto.CustomMessage;
import io.switchboard.opamp.proto.EffectiveConfig;
import io.switchboard.opamp.proto.KeyValue;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MessageLimitsTest {

  private final MessageLimits limits =
      new MessageLimits(1_000, 2_000, 1_000, 3, 10, 500, 4, 1_000, 5, 2);

  @Test
  void aMessageWithinEveryLimitPasses() {
    AgentToServer message =
        AgentToServer.newBuilder()
            .setAgentDescription(description(100))
            .setEffectiveConfig(config(1_000))
            .setHealth(health(3, 2))
            .setCustomMessage(
                CustomMessage.newBuilder()
                    .setCapability("c")
                    .setData(ByteString.copyFrom(new byte[100])))
            .setCustomCapabilities(
                CustomCapabilities.newBuilder().addCapabilities("a").addCapabilities("b"))
            .build();
    assertEquals(Optional.empty(), limits.check(message));
  }

  @Test
  void eachPartOverItsLimitIsNamed() {
    assertReason(
        "description-too-large",
        AgentToServer.newBuilder().setAgentDescription(description(2_000)));
    assertReason(
        "effective-config-too-large", AgentToServer.newBuilder().setEffectiveConfig(config(3_000)));
    assertReason(
        "health-too-large",
        AgentToServer.newBuilder()
            .setHealth(ComponentHealth.newBuilder().setLastError("x".repeat(1_500))));
    assertReason("health-too-deep", AgentToServer.newBuilder().setHealth(health(5, 1)));
    assertReason("health-too-many-components", AgentToServer.newBuilder().setHealth(health(2, 12)));
    assertReason(
        "custom-message-too-large",
        AgentToServer.newBuilder()
            .setCustomMessage(
                CustomMessage.newBuilder().setData(ByteString.copyFrom(new byte[600]))));
    CustomCapabilities.Builder many = CustomCapabilities.newBuilder();
    for (int i = 0; i < 5; i++) {
      many.addCapabilities("cap-" + i);
    }
    assertReason(
        "too-many-custom-capabilities", AgentToServer.newBuilder().setCustomCapabilities(many));
  }

  @Test
  void availableComponentsAreBoundedBySizeCountAndDepth() {
    assertEquals(
        Optional.empty(),
        limits.check(AgentToServer.newBuilder().setAvailableComponents(components(2, 1)).build()));
    assertReason(
        "available-components-too-many",
        AgentToServer.newBuilder().setAvailableComponents(components(2, 4)));
    AvailableComponents deep =
        AvailableComponents.newBuilder()
            .putComponents(
                "receivers",
                ComponentDetails.newBuilder()
                    .putSubComponentMap(
                        "otlp",
                        ComponentDetails.newBuilder()
                            .putSubComponentMap("inner", ComponentDetails.getDefaultInstance())
                            .build())
                    .build())
            .build();
    assertReason(
        "available-components-too-deep", AgentToServer.newBuilder().setAvailableComponents(deep));
    assertReason(
        "available-components-too-large",
        AgentToServer.newBuilder()
            .setAvailableComponents(
                AvailableComponents.newBuilder().setHash(ByteString.copyFrom(new byte[1_200]))));
  }

  /** {@code kinds} kinds of {@code types} types each. */
  private static AvailableComponents components(int kinds, int types) {
    AvailableComponents.Builder available =
        AvailableComponents.newBuilder().setHash(ByteString.copyFromUtf8("h"));
    for (int kind = 0; kind < kinds; kind++) {
      ComponentDetails.Builder details = ComponentDetails.newBuilder();
      for (int type = 0; type < types; type++) {
        details.putSubComponentMap("type-" + type, ComponentDetails.getDefaultInstance());
      }
      available.putComponents("kind-" + kind, details.build());
    }
    return available.build();
  }

  @Test
  void theRefusalSaysTheSizeAndTheLimit() {
    MessageLimits.Violation violation =
        limits
            .check(AgentToServer.newBuilder().setEffectiveConfig(config(3_000)).build())
            .orElseThrow();
    assertTrue(violation.detail().contains("the limit is 2000 bytes"), violation.detail());
  }

  private void assertReason(String reason, AgentToServer.Builder message) {
    assertEquals(
        reason,
        limits.check(message.build()).map(MessageLimits.Violation::reason).orElse("passed"));
  }

  private static AgentDescription description(int bytes) {
    return AgentDescription.newBuilder()
        .addIdentifyingAttributes(
            KeyValue.newBuilder()
                .setKey("k")
                .setValue(AnyValue.newBuilder().setStringValue("v".repeat(bytes))))
        .build();
  }

  private static EffectiveConfig config(int bytes) {
    return EffectiveConfig.newBuilder()
        .setConfigMap(
            AgentConfigMap.newBuilder()
                .putConfigMap(
                    "c.yaml",
                    AgentConfigFile.newBuilder()
                        .setBody(ByteString.copyFrom(new byte[bytes]))
                        .build()))
        .build();
  }

  /**
   * A health tree {@code depth} deep (1 = no components) with {@code width} components per level.
   */
  private static ComponentHealth health(int depth, int width) {
    ComponentHealth.Builder health = ComponentHealth.newBuilder().setHealthy(true);
    if (depth > 1) {
      for (int i = 0; i < width; i++) {
        health.putComponentHealthMap("component-" + i, health(depth - 1, width));
      }
    }
    return health.build();
  }
}
