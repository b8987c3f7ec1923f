package io.switchboard.fleetsim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReconnectsTest {

  private static final URI A = URI.create("ws://127.0.0.1:4320/v1/opamp");
  private static final URI B = URI.create("ws://127.0.0.1:4321/v1/opamp");
  private static final URI C = URI.create("ws://127.0.0.1:4322/v1/opamp");
  private static final URI D = URI.create("ws://127.0.0.1:4323/v1/opamp");

  @Test
  void anAgentOfOneEndpointGoesBackToIt() {
    Reconnects same = new Reconnects(SimulatorSettings.ReconnectTo.SAME, List.of(A, B, C));
    assertEquals(B, same.after(B, new Random(1)));
  }

  @Test
  void anAgentOfEveryNodeSpreadsOverTheOthersAndNeverGoesStraightBack() {
    Reconnects other = new Reconnects(SimulatorSettings.ReconnectTo.OTHER, List.of(A, B, C, D));
    Random random = new Random(42);
    Map<URI, Integer> landed = new HashMap<>();
    for (int i = 0; i < 3_000; i++) {
      URI next = other.after(B, random);
      assertNotEquals(B, next);
      landed.merge(next, 1, Integer::sum);
    }
    assertEquals(3, landed.size(), landed::toString);
    // About 1,000 each; a draw that favoured one of them would show here.
    landed.values().forEach(count -> assertEquals(1_000, count, 100, landed::toString));
  }

  @Test
  void withNoOtherTargetOfItsProtocolTheAgentStays() {
    Reconnects other = new Reconnects(SimulatorSettings.ReconnectTo.OTHER, List.of(A));
    assertEquals(A, other.after(A, new Random(7)));
  }
}
