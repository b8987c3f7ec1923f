package io.switchboard.node;

import static org.apache.pekko.http.javadsl.server.Directives.concat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.typesafe.config.Config;
import io.switchboard.api.ApiSettings;
import io.switchboard.api.OperatorApi;
import io.switchboard.api.auth.AuthSettings;
import io.switchboard.api.auth.Authentication;
import io.switchboard.api.dashboard.ClusterMember;
import io.switchboard.api.dashboard.DashboardApi;
import io.switchboard.api.dashboard.DashboardAssets;
import io.switchboard.api.dashboard.LiveBus;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.cluster.agent.AgentEntitySettings;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.cluster.agent.EnvelopeLedger;
import io.switchboard.cluster.housekeeping.Housekeeping;
import io.switchboard.cluster.lease.PostgresLease;
import io.switchboard.dispatch.DispatchSettings;
import io.switchboard.dispatch.EnvelopeSweep;
import io.switchboard.dispatch.StoredEnvelopeLedger;
import io.switchboard.dispatch.Dispatcher;
import io.switchboard.dispatch.rollout.RolloutDriver;
import io.switchboard.dispatch.rollout.RolloutSettings;
import io.switchboard.dispatch.rollout.Rollouts;
import io.switchboard.gateway.OpampEndpoint;
import io.switchboard.gateway.OpampGatewaySettings;
import io.switchboard.gateway.session.LiveSessions;
import io.switchboard.gateway.session.NodeDraining;
import io.switchboard.gateway.tls.OpampTls;
import io.switchboard.observability.Telemetry;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.DatabaseExtension;
import io.switchboard.persistence.agents.AgentRepository;
import io.switchboard.persistence.configurations.ConfigurationStore;
import io.switchboard.persistence.envelopes.EnvelopeStore;
import io.switchboard.persistence.fleet.FleetQueries;
import io.switchboard.persistence.operators.OperatorStore;
import io.switchboard.persistence.rollouts.RolloutStore;
import io.switchboard.persistence.history.HistoryRetention;
import io.switchboard.persistence.status.StatusWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * One Switchboard node: wires the database, the status writer, agent sharding, the OpAMP endpoint,
 * the operator API, metrics and management, and registers their orderly shutdown. {@link Main}
 * starts one from the loaded configuration; tests start several with their own.
 */
public final class SwitchboardNode implements AutoCloseable {

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);
  /** The port of an endpoint this node's roles do not include. */
  public static final int NOT_BOUND = -1;

  private final ActorSystem<Void> system;
  private final int opampPort;
  private final int apiPort;
  private final int metricsPort;
  private final int managementPort;

  private SwitchboardNode(ActorSystem<Void> system, int opampPort, int apiPort, int metricsPort, int managementPort) {
    this.system = system;
    this.opampPort = opampPort;
    this.apiPort = apiPort;
    this.metricsPort = metricsPort;
    this.managementPort = managementPort;
  }

  /** Starts a node and returns once every endpoint is bound; fails (and cleans up) otherwise. */
  public static SwitchboardNode start(Config givenConfig) {
    Config config = NodeRoles.apply(ClusterFormation.withDiscoveryEndpoints(givenConfig));
    Telemetry.start(config);
    Config switchboard = config.getConfig("switchboard");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), switchboard.getString("cluster-name"), config);
    try {
      Database database = DatabaseExtension.get(system).database();
      ActorRef<StatusWriter.Command> statusWriter = NodeStatusWriter.get(system).ref();

      boolean bootstrap = ClusterFormation.bootstrap(config);
      if (!bootstrap) {
        ClusterFormation.joinSeedsOrSelf(system, config);
      }
      EnvelopeStore envelopeStore = new EnvelopeStore(database.pool());
      AgentEntity.init(
          system, statusWriter, new StoredEnvelopeLedger(envelopeStore), AgentEntitySettings.fromConfig(switchboard));
      PostgresLease.releaseShardLeasesOnLeave(system);
      NodeGauges.start(system, database, NodeRoles.has(config, AgentEntity.ROLE), switchboard.getDuration("metrics.gauge-interval"));
      Housekeeping.init(
          system,
          new HistoryRetention(database.pool()),
          new Housekeeping.Settings(
              switchboard.getDuration("history.retention"),
              switchboard.getInt("history.partitions-ahead"),
              switchboard.getDuration("history.housekeeping-interval")));
      ClusterSharding sharding = ClusterSharding.get(system);
      String nodeName = Cluster.get(system).selfMember().address().toString();

      OpampGatewaySettings opamp = OpampGatewaySettings.fromConfig(switchboard);
      AgentRefs agents = uid -> sharding.entityRefFor(AgentEntity.TYPE_KEY, uid);
      DispatchSettings dispatch = DispatchSettings.fromConfig(switchboard);
      EnvelopeSweep.init(system, envelopeStore, agents, dispatch);
      ApiSettings api = ApiSettings.fromConfig(switchboard);
      AgentRepository agentRecords = new AgentRepository(database.pool());
      Dispatcher dispatcher = new Dispatcher(envelopeStore, agents, api.askTimeout(), system.ignoreRef(), Clock.systemUTC());
      RolloutSettings rolloutSettings = RolloutSettings.fromConfig(switchboard);
      RolloutStore rolloutStore = new RolloutStore(database.pool());
      ConfigurationStore configurations = new ConfigurationStore(database.pool());
      ActorRef<RolloutDriver.Command> rolloutDriver =
          RolloutDriver.init(system, rolloutStore, configurations, dispatcher, rolloutSettings);
      Rollouts rollouts =
          new Rollouts(
              rolloutStore, configurations, agentRecords, dispatcher, rolloutSettings, rolloutDriver);
      LiveSessions liveSessions = new LiveSessions();
      drainOnShutdown(system, liveSessions, switchboard.getConfig("opamp.drain"));
      Route opampRoute = OpampEndpoint.route(system, opamp, nodeName, agents, liveSessions);
      Cluster cluster = Cluster.get(system);
      Authentication authentication =
          new Authentication(new OperatorStore(database.pool()), AuthSettings.fromConfig(switchboard), new ObjectMapper());
      await(authentication.ensureFirstAdmin(Path.of(switchboard.getString("data-dir"))));
      DashboardApi dashboard = dashboard(system, database, api);
      Route apiRoute =
          new OperatorApi(
                  database,
                  dispatcher,
                  dispatch,
                  rollouts,
                  authentication,
                  dashboard,
                  api,
                  () -> cluster.selfMember().status() == MemberStatus.up())
              .route();
      Route apiAndDashboard = concat(apiRoute, DashboardAssets.route());

      int opampPort =
          NodeRoles.has(config, AgentEntity.ROLE)
              ? bind(
                  system,
                  "opamp",
                  Http.get(system).newServerAt(opamp.host(), opamp.port()),
                  OpampTls.fromConfig(switchboard.getConfig("opamp.tls")),
                  opampRoute)
              : NOT_BOUND;
      int apiPort =
          NodeRoles.has(config, NodeRoles.OPERATORS)
              ? bind(system, "api", Http.get(system).newServerAt(api.host(), api.port()), Optional.empty(), apiAndDashboard)
              : NOT_BOUND;
      int metricsPort =
          bind(
              system,
              "metrics",
              Http.get(system).newServerAt(switchboard.getString("metrics.host"), switchboard.getInt("metrics.port")),
              Optional.empty(),
              MetricsRoute.route());
      int managementPort = await(PekkoManagement.get(system).start()).port();
      if (bootstrap) {
        // Contact points probe each other through management, so it must be up first.
        ClusterBootstrap.get(system).start();
      }
      return new SwitchboardNode(system, opampPort, apiPort, metricsPort, managementPort);
    } catch (RuntimeException e) {
      system.terminate();
      await(system.getWhenTerminated());
      throw e;
    }
  }

  /** The dashboard's own reads and its live updates; JSON in the API's snake_case. */
  private static DashboardApi dashboard(ActorSystem<?> system, Database database, ApiSettings api) {
    ObjectMapper json = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    FleetQueries fleet = new FleetQueries(database.readPool());
    Cluster cluster = Cluster.get(system);
    Supplier<List<ClusterMember>> members =
        () ->
            StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                .map(
                    member ->
                        new ClusterMember(
                            member.address().toString(),
                            member.status().toString(),
                            member.getRoles().stream().filter(role -> !role.startsWith("dc-")).sorted().toList()))
                .toList();
    return new DashboardApi(fleet, new LiveBus(system, fleet, api.liveInterval(), json), members, api.liveInterval(), json);
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public Database database() {
    return DatabaseExtension.get(system).database();
  }

  /** The OpAMP port, or {@link #NOT_BOUND} on a node without the agents role. */
  public int opampPort() {
    return opampPort;
  }

  /** The operator API port, or {@link #NOT_BOUND} on a node without the operators role. */
  public int apiPort() {
    return apiPort;
  }

  public int metricsPort() {
    return metricsPort;
  }

  public int managementPort() {
    return managementPort;
  }

  /** Completes when the node has shut down (a signal, a failed join, or {@link #close()}). */
  public CompletionStage<Done> whenTerminated() {
    return system.getWhenTerminated();
  }

  /** Shuts the node down in order: endpoints, sessions, shards, pending status writes, database. */
  @Override
  public void close() {
    system.terminate();
    await(system.getWhenTerminated());
  }

  /**
   * Once the endpoints stop taking new connections, the node's agents are sent elsewhere in waves,
   * and shutdown waits until every session has told its entity, before shards are handed off.
   */
  private static void drainOnShutdown(ActorSystem<?> system, LiveSessions sessions, Config drain) {
    NodeDraining draining = new NodeDraining(drain.getDuration("retry-after"), drain.getDuration("spread"));
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseServiceRequestsDone(),
            "drain-agent-sessions",
            () -> sessions.drain(draining, DRAIN_TIMEOUT));
  }

  private static int bind(
      ActorSystem<?> system, String name, ServerBuilder server, Optional<HttpsConnectionContext> tls, Route route) {
    ServerBinding binding = await(tls.map(server::enableHttps).orElse(server).bind(route));
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "unbind-" + name, binding::unbind);
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceRequestsDone(),
        "terminate-" + name,
        () -> binding.terminate(Duration.ofSeconds(5)).thenApply(terminated -> Done.getInstance()));
    system.log().info("Switchboard {} endpoint listening on {}", name, binding.localAddress());
    return binding.localAddress().getPort();
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the node", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("node start-up step failed: " + e.getMessage(), e);
    }
  }
}
