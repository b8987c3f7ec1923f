package io.switchboard.dispatch.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The nudge an API on another node sends the rollout driver crosses nodes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RolloutDriverSerializationTest {

  private final ActorTestKit testKit =
      ActorTestKit.create(
          ConfigFactory.parseString(
                  "pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0")
              .withFallback(ConfigFactory.load()));

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void stepNowRoundTripsThroughTheClusterSerializer() throws Exception {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    Object message = RolloutDriver.StepNow.INSTANCE;
    var serializer = serialization.findSerializerFor(message);
    assertEquals(
        "JacksonCborSerializer", serializer.getClass().getSimpleName(), "not Java serialization");
    byte[] bytes = serialization.serialize(message).get();
    assertEquals(
        message,
        serialization
            .deserialize(
                bytes, serializer.identifier(), Serializers.manifestFor(serializer, message))
            .get());
  }
}
