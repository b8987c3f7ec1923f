package io.switchboard.fleetsim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One simulator run. Agents are spread round-robin over the targets and over the source addresses
 * 127.0.0.1 .. 127.0.0.{sourceAddresses}; agent i starts connecting at i / agents of the ramp-up.
 */
public record SimulatorSettings(
    List<Target> targets,
    int agents,
    Duration duration,
    Duration rampUp,
    Duration heartbeat,
    double churnPerSecond,
    double applyFailureRatio,
    int sourceAddresses,
    Optional<Path> report) {

  /**
   * One WebSocket costs one file descriptor here; the machine allows 20,000 per process, so a
   * bigger fleet has to be split over several simulator processes.
   */
  public static final int MAX_AGENTS = 19_000;

  public SimulatorSettings {
    targets = List.copyOf(targets);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("--target: at least one target is needed");
    }
    if (agents < 1 || agents > MAX_AGENTS) {
      throw new IllegalArgumentException(
          "--agents must be between 1 and " + MAX_AGENTS + " (one JVM's open-file limit); run several simulators for more");
    }
    requirePositive("--duration", duration);
    if (rampUp.isNegative() || rampUp.compareTo(duration) >= 0) {
      throw new IllegalArgumentException(
          "--ramp-up (" + format(rampUp) + ") must be at least 0 and shorter than --duration (" + format(duration) + ")");
    }
    if (heartbeat.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("--heartbeat must be at least 1s (OpAMP counts it in whole seconds)");
    }
    if (!(churnPerSecond >= 0) || Double.isInfinite(churnPerSecond)) {
      throw new IllegalArgumentException("--churn-per-second must be a number >= 0");
    }
    if (!(applyFailureRatio >= 0 && applyFailureRatio <= 1)) {
      throw new IllegalArgumentException("--apply-failure-ratio must be between 0.0 and 1.0");
    }
    if (sourceAddresses < 1 || sourceAddresses > 254) {
      throw new IllegalArgumentException("--source-addresses must be between 1 and 254 (127.0.0.1 .. 127.0.0.254)");
    }
  }

  /** The local addresses agents bind to, round-robin: more addresses, more ephemeral ports. */
  public List<InetSocketAddress> localAddresses() {
    List<InetSocketAddress> addresses = new ArrayList<>(sourceAddresses);
    for (int i = 1; i <= sourceAddresses; i++) {
      try {
        addresses.add(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i}), 0));
      } catch (UnknownHostException e) {
        throw new IllegalStateException("a 4-byte address is always valid", e);
      }
    }
    return addresses;
  }

  static String format(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
  }

  private static void requirePositive(String flag, Duration duration) {
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException(flag + " must be longer than 0");
    }
  }
}
