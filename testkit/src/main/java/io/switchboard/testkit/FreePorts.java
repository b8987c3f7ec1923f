package io.switchboard.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Ports for listeners that must know their port before they start (a node process, a PgBouncer, a
 * cluster's management endpoints); everything else binds port 0. Never the default ports of a node
 * (4320, 8080, 9095, 7626, 7355, 15432), which a node started by hand may hold.
 */
public final class FreePorts {

  private static final Random RANDOM = new Random();
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  /**
   * A port free right now. Taken below the ephemeral range (32768 and up), where the system's own
   * client sockets could take it first, above every default port of a node, and never handed out
   * twice in this JVM: a port checked free but not yet bound by what it was picked for (a node
   * process still starting) would otherwise be picked again for another.
   */
  public static synchronized int next() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = 20_000 + RANDOM.nextInt(12_000);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port)) {
        HANDED_OUT.add(port);
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000");
  }
}
