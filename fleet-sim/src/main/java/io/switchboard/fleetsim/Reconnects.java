package io.switchboard.fleetsim;

import java.net.URI;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Where an agent goes when it connects again: back to the target it lost, or, with {@link
 * SimulatorSettings.ReconnectTo#OTHER}, to another target of its protocol drawn at random, as an
 * agent given every node of a cluster would. Drawing at random spreads the agents of a lost node
 * evenly over the others, and never sends an agent straight back to the target that just failed it.
 *
 * @param sameProtocol the distinct targets of the agent's protocol
 */
record Reconnects(SimulatorSettings.ReconnectTo policy, List<URI> sameProtocol) {

  Reconnects {
    sameProtocol = List.copyOf(sameProtocol);
  }

  URI after(URI lost, RandomGenerator random) {
    int lostAt = sameProtocol.indexOf(lost);
    if (policy == SimulatorSettings.ReconnectTo.SAME || sameProtocol.size() < 2 || lostAt < 0) {
      return lost;
    }
    int drawn = random.nextInt(sameProtocol.size() - 1);
    return sameProtocol.get(drawn >= lostAt ? drawn + 1 : drawn);
  }
}
