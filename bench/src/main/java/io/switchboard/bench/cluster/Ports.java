package io.switchboard.bench.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports below the ephemeral range (32768-60999). A server listening inside that range
 * can lose its port to a client socket of the load itself, so the bench never uses one there; a
 * random start keeps runs of other engineers on the same machine from colliding with it.
 */
public final class Ports {

  private static final int FIRST = 20_000;
  private static final int LAST = 32_000;
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private Ports() {}

  public static synchronized int free() {
    int start = ThreadLocalRandom.current().nextInt(FIRST, LAST);
    for (int i = 0; i <= LAST - FIRST; i++) {
      int port = FIRST + (start - FIRST + i) % (LAST - FIRST + 1);
      if (!HANDED_OUT.contains(port) && bindable(port)) {
        HANDED_OUT.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free port between " + FIRST + " and " + LAST);
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
