package io.switchboard.fleetsim;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The simulator's command line: {@code --flag value} or {@code --flag=value}, nothing else. */
public final class ArgsParser {

  public static final String USAGE =
      """
      Usage: fleet-sim [options]

        --target URL               OpAMP endpoint on loopback: ws://127.0.0.1:4320/v1/opamp (WebSocket)
                                   or http://127.0.0.1:4320/v1/opamp (HTTP polling). Repeat it to
                                   spread agents round-robin over several targets.
                                   Default: ws://127.0.0.1:4320/v1/opamp
        --reconnect-to WHERE       same: an agent reconnects to the target it had; other: to another
                                   target of its protocol, drawn at random (every node of a cluster,
                                   no load balancer in front). Default: same
        --agents N                 agents to simulate (1..19000). Default: 100
        --duration D               how long the run lasts, then every agent disconnects. Default: 60s
        --ramp-up D                connects are spread evenly over this period. Default: 10s
        --heartbeat D              heartbeat (polling) interval until the server offers one. Default: 30s
        --churn-per-second X       health changes per second across the fleet. Default: 0
        --apply-failure-ratio R    share of remote configs reported FAILED (0.0..1.0). Default: 0.0
        --source-addresses N       bind agents round-robin to N consecutive loopback addresses,
                                   from --first-source-address on (1..254). Default: 1
        --first-source-address A   the first of those addresses. Simulators running side by side
                                   take ranges of their own, so that each has the ephemeral ports
                                   of its addresses to itself. Default: 127.0.0.1
        --report PATH              also write the JSON summary to this file
        --report-every D           rewrite the --report file this often during the run (at least
                                   100ms), with the numbers so far; each write replaces the file
                                   whole. Default: only at the end
        --help                     this text

      Durations take a unit: 500ms, 30s, 5m, 1h.
      """;

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
  private static final Pattern IPV4 =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

  private ArgsParser() {}

  /** The settings, or empty when {@code --help} was asked for. */
  public static Optional<SimulatorSettings> parse(String... args) throws UsageException {
    List<Target> targets = new ArrayList<>();
    SimulatorSettings.ReconnectTo reconnectTo = SimulatorSettings.ReconnectTo.SAME;
    int agents = 100;
    Duration duration = Duration.ofSeconds(60);
    Duration rampUp = Duration.ofSeconds(10);
    Duration heartbeat = Duration.ofSeconds(30);
    double churnPerSecond = 0;
    double applyFailureRatio = 0;
    int sourceAddresses = 1;
    InetAddress firstSourceAddress = SimulatorSettings.DEFAULT_FIRST_SOURCE_ADDRESS;
    Optional<Path> report = Optional.empty();
    Optional<Duration> reportEvery = Optional.empty();

    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        return Optional.empty();
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "' (options start with --)");
      }
      String flag = arg;
      String value;
      int equals = arg.indexOf('=');
      if (equals > 0) {
        flag = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new UsageException(flag + " needs a value");
      }
      switch (flag) {
        case "--target" -> targets.add(target(value));
        case "--reconnect-to" -> reconnectTo = reconnectTo(flag, value);
        case "--agents" -> agents = integer(flag, value);
        case "--duration" -> duration = duration(flag, value);
        case "--ramp-up" -> rampUp = duration(flag, value);
        case "--heartbeat" -> heartbeat = duration(flag, value);
        case "--churn-per-second" -> churnPerSecond = decimal(flag, value);
        case "--apply-failure-ratio" -> applyFailureRatio = decimal(flag, value);
        case "--source-addresses" -> sourceAddresses = integer(flag, value);
        case "--first-source-address" -> firstSourceAddress = loopbackAddress(flag, value);
        case "--report" -> report = Optional.of(Path.of(value));
        case "--report-every" -> reportEvery = Optional.of(duration(flag, value));
        default -> throw new UsageException("unknown option " + flag);
      }
    }
    if (targets.isEmpty()) {
      targets.add(Target.parse("ws://127.0.0.1:4320/v1/opamp"));
    }
    try {
      return Optional.of(
          new SimulatorSettings(
              targets,
              reconnectTo,
              agents,
              duration,
              rampUp,
              heartbeat,
              churnPerSecond,
              applyFailureRatio,
              sourceAddresses,
              firstSourceAddress,
              report,
              reportEvery));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static Target target(String value) throws UsageException {
    try {
      return Target.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--target " + e.getMessage());
    }
  }

  private static SimulatorSettings.ReconnectTo reconnectTo(String flag, String value)
      throws UsageException {
    return switch (value) {
      case "same" -> SimulatorSettings.ReconnectTo.SAME;
      case "other" -> SimulatorSettings.ReconnectTo.OTHER;
      default -> throw new UsageException(flag + " takes same or other, not '" + value + "'");
    };
  }

  /** A dotted IPv4 literal in 127.0.0.0/8; never a name, which would have to be resolved. */
  private static InetAddress loopbackAddress(String flag, String value) throws UsageException {
    Matcher matcher = IPV4.matcher(value);
    byte[] octets = new byte[4];
    boolean valid = matcher.matches();
    for (int i = 0; valid && i < 4; i++) {
      int octet = Integer.parseInt(matcher.group(i + 1));
      valid = octet <= 255;
      octets[i] = (byte) octet;
    }
    if (!valid || octets[0] != 127) {
      throw new UsageException(
          flag + " takes a loopback IPv4 address such as 127.0.0.9, not '" + value + "'");
    }
    try {
      return InetAddress.getByAddress(octets);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4-byte address is always valid", e);
    }
  }

  private static int integer(String flag, String value) throws UsageException {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " takes a whole number, not '" + value + "'");
    }
  }

  private static double decimal(String flag, String value) throws UsageException {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " takes a number such as 0.5, not '" + value + "'");
    }
  }

  static Duration duration(String flag, String value) throws UsageException {
    Matcher matcher = DURATION.matcher(value);
    if (!matcher.matches()) {
      throw new UsageException(
          flag + " takes a duration with a unit (500ms, 30s, 5m, 1h), not '" + value + "'");
    }
    long amount;
    try {
      amount = Long.parseLong(matcher.group(1));
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " " + value + " is too long");
    }
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }
}
