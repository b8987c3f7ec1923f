package io.switchboard.bench.cluster;

import io.switchboard.bench.BenchPaths;
import io.switchboard.bench.BenchProperties;
import io.switchboard.bench.ChildJvm;
import io.switchboard.bench.report.BenchReport;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Switchboard node started from the built node jar as its own JVM, configured through the
 * environment as in production: every port free and below the ephemeral range, everything bound to
 * loopback, operator sign-in off.
 */
public final class LocalNode implements AutoCloseable {

  private static final Pattern WEBSOCKET_SESSIONS =
      Pattern.compile(
          "^switchboard_active_sessions\\{[^}]*transport=\"websocket\"[^}]*\\} ([0-9.eE+-]+)$",
          Pattern.MULTILINE);
  private static final Pattern STORE_STATEMENTS =
      Pattern.compile(
          "^switchboard_database_query_duration_seconds_count(?:\\{[^}]*\\})? ([0-9.eE+-]+)$",
          Pattern.MULTILINE);
  private static final Pattern DELIVERIES =
      Pattern.compile(
          "^switchboard_dispatch_deliveries_total\\{[^}]*route=\"([a-z]+)\"[^}]*\\} ([0-9.eE+-]+)$",
          Pattern.MULTILINE);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** How the node reaches its PostgreSQL: its own embedded one, or a shared one by URL. */
  public sealed interface Database {
    record Embedded(int port) implements Database {}

    record Shared(String url) implements Database {}
  }

  private final ChildJvm jvm;
  private final int opampPort;
  private final int apiPort;
  private final int metricsPort;
  private final int remotePort;

  private LocalNode(ChildJvm jvm, int opampPort, int apiPort, int metricsPort, int remotePort) {
    this.jvm = jvm;
    this.opampPort = opampPort;
    this.apiPort = apiPort;
    this.metricsPort = metricsPort;
    this.remotePort = remotePort;
  }

  /**
   * Starts node {@code name}; {@code seedRemotePort} names the first node of a cluster (empty: this
   * node forms a cluster of its own).
   */
  public static LocalNode start(
      String name,
      String maxHeap,
      Database database,
      int remotePort,
      Optional<Integer> seedRemotePort,
      List<String> extraJvmOptions)
      throws IOException {
    Path root = BenchPaths.nodeBuild();
    Path dataDir = Files.createTempDirectory("switchboard-bench-" + name);
    int opampPort = Ports.free();
    int apiPort = Ports.free();
    int metricsPort = Ports.free();
    Map<String, String> env = new HashMap<>();
    env.put("SWITCHBOARD_DATA_DIR", dataDir.toString());
    if (database instanceof Database.Embedded embedded) {
      env.put("SWITCHBOARD_EMBEDDED_DATABASE_PORT", Integer.toString(embedded.port()));
    } else if (database instanceof Database.Shared shared) {
      env.put("SWITCHBOARD_DATABASE_URL", shared.url());
    }
    env.put("SWITCHBOARD_OPAMP_HOST", "127.0.0.1");
    env.put("SWITCHBOARD_OPAMP_PORT", Integer.toString(opampPort));
    env.put("SWITCHBOARD_API_HOST", "127.0.0.1");
    env.put("SWITCHBOARD_API_PORT", Integer.toString(apiPort));
    env.put("SWITCHBOARD_METRICS_HOST", "127.0.0.1");
    env.put("SWITCHBOARD_METRICS_PORT", Integer.toString(metricsPort));
    env.put("SWITCHBOARD_MANAGEMENT_BIND_HOST", "127.0.0.1");
    env.put("SWITCHBOARD_MANAGEMENT_PORT", Integer.toString(Ports.free()));
    env.put("SWITCHBOARD_REMOTE_PORT", Integer.toString(remotePort));
    seedRemotePort.ifPresent(
        seed -> env.put("SWITCHBOARD_SEED_NODES", "pekko://switchboard@127.0.0.1:" + seed));
    env.put("SWITCHBOARD_AUTH_ENABLED", "false");
    List<String> options = new ArrayList<>(List.of("-Xmx" + maxHeap, "-Xms" + maxHeap));
    options.addAll(extraJvmOptions);
    // Any scenario's nodes, e.g. with a profiler agent: -DnodeJvmOptions="-agentpath:...".
    String more = BenchProperties.text("nodeJvmOptions", "").trim();
    if (!more.isEmpty()) {
      options.addAll(List.of(more.split("\\s+")));
    }
    String classpath =
        BenchPaths.nodeJar(root)
            + File.pathSeparator
            + root.resolve("node/target/lib").toAbsolutePath()
            + "/*";
    Path log = BenchPaths.logDirectory().resolve(name + ".log");
    ChildJvm jvm =
        ChildJvm.start(
            name,
            options,
            classpath,
            "io.switchboard.node.Main",
            List.of(),
            env,
            log,
            () -> stopEmbeddedDatabase(dataDir));
    return new LocalNode(jvm, opampPort, apiPort, metricsPort, remotePort);
  }

  /**
   * The embedded PostgreSQL runs detached from the node's JVM (pg_ctl starts it), so a node that
   * was killed, or stopped too slowly, leaves it running: end it by the pid in its data directory.
   */
  private static void stopEmbeddedDatabase(Path dataDir) {
    Path pidFile = dataDir.resolve("postgres/postmaster.pid");
    try {
      if (!Files.exists(pidFile)) {
        return;
      }
      long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
      ProcessHandle.of(pid)
          .filter(
              postgres ->
                  postgres
                      .info()
                      .commandLine()
                      .map(line -> line.contains(dataDir.toString()))
                      .orElse(false))
          .ifPresent(
              postgres -> {
                postgres.destroy();
                try {
                  postgres.onExit().get(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                  postgres.destroyForcibly();
                }
              });
    } catch (IOException | RuntimeException e) {
      System.err.println("bench: could not stop the embedded PostgreSQL in " + dataDir + ": " + e);
    }
  }

  /** Waits until the node answers its health check (an Up cluster member). */
  public LocalNode awaitHealthy(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!jvm.isAlive()) {
        throw new IllegalStateException(jvm.name() + " exited during start-up; see " + jvm.log());
      }
      try {
        if (get(apiPort, "/api/health").statusCode() == 200) {
          return this;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        jvm.name() + " not healthy after " + timeout + "; see " + jvm.log());
  }

  /** The report's series for this node's own session gauge. */
  public String gaugeSeries() {
    return name() + ": switchboard_active_sessions{websocket}";
  }

  /** Says so in the report when a node's gauge never showed up, rather than plotting zeros. */
  public static void noteIfGaugeMissing(BenchReport report, List<LocalNode> nodes) {
    for (LocalNode node : nodes) {
      if (!report.hasSessions(node.gaugeSeries())) {
        report.note(
            node.name()
                + "'s /metrics had no switchboard_active_sessions{transport=\"websocket\"} line during the run");
      }
    }
  }

  /**
   * The node's own count of WebSocket sessions (its Prometheus gauge); empty if the scrape failed
   * or the node does not export the gauge (yet).
   */
  public Optional<Double> websocketSessions() {
    try {
      HttpResponse<String> response = get(metricsPort, "/metrics");
      Matcher matcher = WEBSOCKET_SESSIONS.matcher(response.body());
      return matcher.find() ? Optional.of(Double.parseDouble(matcher.group(1))) : Optional.empty();
    } catch (IOException | InterruptedException e) {
      return Optional.empty();
    }
  }

  /**
   * What the node has counted of its dispatch work so far: statements its stores ran (their
   * query-duration histogram's count), and messages it sent agents on its own initiative, from the
   * node hosting the entity ({@code local}) or to another node's socket ({@code forwarded}).
   */
  public record DispatchCounts(double statements, double local, double forwarded) {

    public static final DispatchCounts NONE = new DispatchCounts(0, 0, 0);

    public DispatchCounts plus(DispatchCounts other) {
      return new DispatchCounts(
          statements + other.statements, local + other.local, forwarded + other.forwarded);
    }

    public DispatchCounts minus(DispatchCounts other) {
      return new DispatchCounts(
          statements - other.statements, local - other.local, forwarded - other.forwarded);
    }
  }

  /** The node's whole /metrics page (Prometheus text); empty if the scrape failed. */
  public Optional<String> metricsPage() {
    try {
      return Optional.of(get(metricsPort, "/metrics").body());
    } catch (IOException | InterruptedException e) {
      return Optional.empty();
    }
  }

  /** The node's dispatch counts from one scrape of its /metrics; empty if the scrape failed. */
  public Optional<DispatchCounts> dispatchCounts() {
    try {
      String page = get(metricsPort, "/metrics").body();
      Matcher statements = STORE_STATEMENTS.matcher(page);
      if (!statements.find()) {
        return Optional.empty();
      }
      return Optional.of(
          new DispatchCounts(
              Double.parseDouble(statements.group(1)),
              deliveries(page, "local"),
              deliveries(page, "forwarded")));
    } catch (IOException | InterruptedException e) {
      return Optional.empty();
    }
  }

  /**
   * Messages to agents by {@code route} on a /metrics page (SwitchboardMetrics.deliveries); zero
   * before the first.
   */
  private static double deliveries(String page, String route) {
    Matcher matcher = DELIVERIES.matcher(page);
    while (matcher.find()) {
      if (matcher.group(1).equals(route)) {
        return Double.parseDouble(matcher.group(2));
      }
    }
    return 0;
  }

  public static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public String opampUrl() {
    return "ws://127.0.0.1:" + opampPort + "/v1/opamp";
  }

  public int apiPort() {
    return apiPort;
  }

  int remotePort() {
    return remotePort;
  }

  public long pid() {
    return jvm.pid();
  }

  public String name() {
    return jvm.name();
  }

  public void kill() {
    jvm.kill();
  }

  /**
   * Stops the node as an operator would (SIGTERM), so that it stops its embedded PostgreSQL too.
   */
  @Override
  public void close() {
    jvm.close();
  }
}
