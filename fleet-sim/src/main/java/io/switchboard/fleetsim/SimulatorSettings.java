package io.switchboard.fleetsim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One simulator run. Agents are spread round-robin over the targets and over {@code
 * sourceAddresses} consecutive loopback addresses from {@code firstSourceAddress} on; agent i
 * starts connecting at i / agents of the ramp-up.
 */
public record SimulatorSettings(
    List<Target> targets,
    ReconnectTo reconnectTo,
    int agents,
    Duration duration,
    Duration rampUp,
    Duration heartbeat,
    double churnPerSecond,
    double applyFailureRatio,
    int sourceAddresses,
    InetAddress firstSourceAddress,
    Optional<Path> report,
    Optional<Duration> reportEvery) {

  /**
   * One WebSocket costs one file descriptor here; the machine allows 20,000 per process, so a
   * bigger fleet has to be split over several simulator processes.
   */
  public static final int MAX_AGENTS = 19_000;

  /** Which target an agent connects to after it lost (or could not open) a connection. */
  public enum ReconnectTo {
    /** The one it had: an agent configured with one endpoint, say a load balancer's. */
    SAME,
    /** Another of its protocol, at random: an agent configured with every node of a cluster. */
    OTHER
  }

  /** 127.0.0.1 as a number; the default first source address. */
  private static final int LOWEST_SOURCE_ADDRESS = 0x7F000001;

  /** 127.255.255.254: 127.255.255.255 is the loopback network's broadcast address. */
  private static final int HIGHEST_SOURCE_ADDRESS = 0x7FFFFFFE;

  /** 127.0.0.1, where the source addresses start unless told otherwise. */
  public static final InetAddress DEFAULT_FIRST_SOURCE_ADDRESS = address(LOWEST_SOURCE_ADDRESS);

  /** Rewriting the report more often than this would only cost the simulator CPU. */
  private static final Duration SHORTEST_REPORT_INTERVAL = Duration.ofMillis(100);

  public SimulatorSettings {
    targets = List.copyOf(targets);
    Objects.requireNonNull(reconnectTo, "reconnectTo");
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("--target: at least one target is needed");
    }
    if (agents < 1 || agents > MAX_AGENTS) {
      throw new IllegalArgumentException(
          "--agents must be between 1 and "
              + MAX_AGENTS
              + " (one JVM's open-file limit); run several simulators for more");
    }
    requirePositive("--duration", duration);
    if (rampUp.isNegative() || rampUp.compareTo(duration) >= 0) {
      throw new IllegalArgumentException(
          "--ramp-up ("
              + format(rampUp)
              + ") must be at least 0 and shorter than --duration ("
              + format(duration)
              + ")");
    }
    if (heartbeat.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "--heartbeat must be at least 1s (OpAMP counts it in whole seconds)");
    }
    if (!(churnPerSecond >= 0) || Double.isInfinite(churnPerSecond)) {
      throw new IllegalArgumentException("--churn-per-second must be a number >= 0");
    }
    if (!(applyFailureRatio >= 0 && applyFailureRatio <= 1)) {
      throw new IllegalArgumentException("--apply-failure-ratio must be between 0.0 and 1.0");
    }
    if (sourceAddresses < 1 || sourceAddresses > 254) {
      throw new IllegalArgumentException("--source-addresses must be between 1 and 254");
    }
    int first = firstSourceAddress.getAddress().length == 4 ? number(firstSourceAddress) : 0;
    if (first < LOWEST_SOURCE_ADDRESS || first > HIGHEST_SOURCE_ADDRESS) {
      throw new IllegalArgumentException(
          "--first-source-address must be a loopback IPv4 address from 127.0.0.1 to 127.255.255.254, not "
              + firstSourceAddress.getHostAddress());
    }
    if ((long) first + sourceAddresses - 1 > HIGHEST_SOURCE_ADDRESS) {
      throw new IllegalArgumentException(
          "--first-source-address "
              + firstSourceAddress.getHostAddress()
              + " with --source-addresses "
              + sourceAddresses
              + " runs past 127.255.255.254");
    }
    if (reportEvery.isPresent()) {
      if (report.isEmpty()) {
        throw new IllegalArgumentException("--report-every needs --report, the file to rewrite");
      }
      if (reportEvery.get().compareTo(SHORTEST_REPORT_INTERVAL) < 0) {
        throw new IllegalArgumentException(
            "--report-every must be at least " + format(SHORTEST_REPORT_INTERVAL));
      }
    }
  }

  /**
   * The local addresses agents bind to, round-robin. Each address has its own ephemeral ports, so
   * more addresses hold more connections, and simulators with ranges of their own do not compete
   * for the same ports.
   */
  public List<InetSocketAddress> localAddresses() {
    int first = number(firstSourceAddress);
    List<InetSocketAddress> addresses = new ArrayList<>(sourceAddresses);
    for (int i = 0; i < sourceAddresses; i++) {
      addresses.add(new InetSocketAddress(address(first + i), 0));
    }
    return addresses;
  }

  private static int number(InetAddress ipv4) {
    return ByteBuffer.wrap(ipv4.getAddress()).getInt();
  }

  private static InetAddress address(int number) {
    try {
      return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(number).array());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4-byte address is always valid", e);
    }
  }

  static String format(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + "s"
        : duration.toMillis() + "ms";
  }

  private static void requirePositive(String flag, Duration duration) {
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException(flag + " must be longer than 0");
    }
  }
}
