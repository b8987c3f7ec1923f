package io.switchboard.node;

import static org.apache.pekko.http.javadsl.server.Directives.concat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.switchboard.api.ApiSettings;
import io.switchboard.api.OperatorApi;
import io.switchboard.api.auth.AuthSettings;
import io.switchboard.api.auth.OperatorAccess;
import io.switchboard.api.dashboard.ClusterMember;
import io.switchboard.api.dashboard.DashboardApi;
import io.switchboard.api.dashboard.DashboardAssets;
import io.switchboard.api.dashboard.LiveBus;
import io.switchboard.api.http.Json;
import io.switchboard.cluster.agent.AgentCertificates;
import io.switchboard.cluster.agent.AgentDependencies;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.cluster.agent.AgentStarts;
import io.switchboard.cluster.fleet.FleetGauges;
import io.switchboard.cluster.housekeeping.Housekeeping;
import io.switchboard.cluster.lease.PostgresLease;
import io.switchboard.cluster.limits.TokenBucket;
import io.switchboard.dispatch.AgentRecordActions;
import io.switchboard.dispatch.Dispatcher;
import io.switchboard.dispatch.EnvelopeSweep;
import io.switchboard.dispatch.StoredEnvelopeLedger;
import io.switchboard.dispatch.assignment.AssignmentApply;
import io.switchboard.dispatch.assignment.Assignments;
import io.switchboard.dispatch.components.ComponentCheck;
import io.switchboard.dispatch.packages.PackageSets;
import io.switchboard.dispatch.rollout.RolloutDriver;
import io.switchboard.dispatch.rollout.Rollouts;
import io.switchboard.dispatch.webhooks.WebhookDeliverer;
import io.switchboard.gateway.OpampEndpoint;
import io.switchboard.gateway.certificates.AgentCertificateAuthority;
import io.switchboard.gateway.packages.PackageDownloads;
import io.switchboard.gateway.session.LiveSessions;
import io.switchboard.gateway.session.NodeDraining;
import io.switchboard.gateway.tls.OpampTls;
import io.switchboard.observability.FleetSignalMetrics;
import io.switchboard.observability.PackageMetrics;
import io.switchboard.observability.SwitchboardMetrics;
import io.switchboard.observability.Telemetry;
import io.switchboard.observability.tracing.Tracing;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.DatabaseExtension;
import io.switchboard.persistence.certificates.CertificateStore;
import io.switchboard.persistence.status.StatusWriter;
import io.switchboard.persistence.stores.Stores;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
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
 * the operator API, metrics and management, and registers their orderly shutdown. It only wires:
 * settings are read once into {@link NodeSettings}, stores made once ({@link Stores}). {@link Main}
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

  private SwitchboardNode(
      ActorSystem<Void> system, int opampPort, int apiPort, int metricsPort, int managementPort) {
    this.system = system;
    this.opampPort = opampPort;
    this.apiPort = apiPort;
    this.metricsPort = metricsPort;
    this.managementPort = managementPort;
  }

  /** Starts a node and returns once every endpoint is bound; fails (and cleans up) otherwise. */
  public static SwitchboardNode start(Config givenConfig) {
    Config config = NodeRoles.apply(ClusterFormation.withDiscoveryEndpoints(givenConfig));
    NodeSettings settings = NodeSettings.fromConfig(config);
    Telemetry.start(config);
    SwitchboardMetrics.registerKnownSeries();
    FleetSignalMetrics.registerKnownSeries();
    PackageMetrics.registerKnownSeries();
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), settings.clusterName(), config);
    try {
      return wire(system, config, settings);
    } catch (RuntimeException e) {
      system.terminate();
      await(system.getWhenTerminated());
      throw e;
    }
  }

  /** Builds each shared part once (stores, the API's mapper) and hands it to what needs it. */
  private static SwitchboardNode wire(
      ActorSystem<Void> system, Config config, NodeSettings settings) {
    Database database = DatabaseExtension.get(system).database();
    Stores stores = Stores.on(database, settings.packages().directory());
    ObjectMapper json = Json.mapper();
    // An agent's standing assignment is decided from its stored row once the status writer has
    // written its new description: one statement per flush, however many agents described
    // themselves (a connect storm), and none missed while an assignment is being made. The
    // applier is set below, before agents can connect.
    AtomicReference<AssignmentApply> describedApply = new AtomicReference<>();
    ActorRef<StatusWriter.Command> statusWriter =
        NodeStatusWriter.get(system)
            .start(
                stores.statuses(),
                settings.statusWriter(),
                uids ->
                    Optional.ofNullable(describedApply.get()).ifPresent(a -> a.followStored(uids)));

    boolean bootstrap = ClusterFormation.bootstrap(config);
    if (!bootstrap) {
      ClusterFormation.joinSeedsOrSelf(system, config);
    }
    CertificateStore certificateStore = new CertificateStore(database.pool());
    Optional<AgentCertificateAuthority> ca =
        AgentCertificateAuthority.of(settings.certificates(), certificateStore, Clock.systemUTC());
    ca.ifPresent(authority -> CertificateRevocations.refresh(system, authority));
    AgentEntity.init(
        system,
        agentDependencies(system, stores, statusWriter, settings)
            .withCertificates(
                ca.<AgentCertificates>map(authority -> authority).orElse(AgentCertificates.NONE)),
        settings.agent());
    PostgresLease.releaseShardLeasesOnLeave(system);
    NodeGauges.start(system, database, settings.servesAgents(), settings.metrics().gaugeInterval());
    Housekeeping.init(system, stores.history(), stores.retention(), settings.history());
    FleetGauges.init(
        system, stores.fleet(), stores.assignments(), settings.metrics().fleetGaugeInterval());

    ClusterSharding sharding = ClusterSharding.get(system);
    Cluster cluster = Cluster.get(system);
    String nodeName = cluster.selfMember().address().toString();
    AgentRefs agents = uid -> sharding.entityRefFor(AgentEntity.TYPE_KEY, uid);
    EnvelopeSweep.init(system, stores.envelopes(), agents, settings.dispatch());
    Dispatcher dispatcher =
        new Dispatcher(
            stores.envelopes(),
            agents,
            settings.api().askTimeout(),
            system.ignoreRef(),
            Clock.systemUTC(),
            Tracing.get(system));
    // Until the OpAMP port is bound, the configured base (if any) is all an offer could name.
    AtomicReference<String> downloadBase =
        new AtomicReference<>(settings.packages().downloadBaseUrl());
    PackageSets packageSets = new PackageSets(stores.packages(), downloadBase::get);
    AssignmentApply assignmentApply =
        new AssignmentApply(
            stores.assignments(),
            stores.assignmentResolution(),
            dispatcher,
            settings.rollouts().batchDeadline(),
            json);
    describedApply.set(assignmentApply);
    ActorRef<RolloutDriver.Command> rolloutDriver =
        RolloutDriver.init(
            system,
            stores.rollouts(),
            stores.configurations(),
            dispatcher,
            settings.rollouts(),
            packageSets,
            json,
            // Agents that joined while an assignment's version rolled out got the previous one.
            completed ->
                assignmentApply.apply(completed.assignment(), "switchboard/rollout-driver"));
    WebhookDeliverer.init(system, stores.webhooks(), settings.webhooks());
    Rollouts rollouts =
        new Rollouts(
            stores.rollouts(),
            stores.configurations(),
            stores.agents(),
            dispatcher,
            settings.rollouts(),
            rolloutDriver,
            packageSets,
            json,
            new ComponentCheck(stores.components(), ComponentCheck.LISTED));

    LiveSessions liveSessions = new LiveSessions();
    drainOnShutdown(system, liveSessions, settings.opamp().drain());
    Route opampRoute =
        concat(
            OpampEndpoint.route(system, settings.opamp(), nodeName, agents, liveSessions, ca),
            PackageDownloads.route(settings.opamp().tokens(), stores.packages()));
    OperatorAccess access =
        OperatorAccess.create(
            stores.operators(),
            stores.sessions(),
            stores.tokens(),
            settings.auth(),
            system
                .dispatchers()
                .lookup(DispatcherSelector.fromConfig(AuthSettings.HASHING_DISPATCHER)),
            json);
    await(access.ensureFirstAdmin(settings.dataDir()));
    Route apiRoute =
        new OperatorApi(
                stores,
                new AgentRecordActions(stores.agents(), agents, certificateStore),
                dispatcher,
                settings.dispatch(),
                rollouts,
                access,
                dashboard(system, stores, settings.api(), json),
                settings.api(),
                json,
                () -> cluster.selfMember().status() == MemberStatus.up(),
                settings.packages(),
                new Assignments(
                    stores.assignments(),
                    stores.assignmentResolution(),
                    stores.configurations(),
                    rollouts,
                    assignmentApply,
                    packageSets,
                    json))
            .route();

    int opampPort =
        settings.servesAgents()
            ? bind(
                system,
                "opamp",
                Http.get(system).newServerAt(settings.opamp().host(), settings.opamp().port()),
                settings.opamp().tls().map(tls -> OpampTls.context(tls, ca)),
                opampRoute)
            : NOT_BOUND;
    downloadBase.set(
        settings.packages().orDownloadBase(ownOpampUrl(settings, opampPort)).downloadBaseUrl());
    int apiPort =
        settings.servesOperators()
            ? bind(
                system,
                "api",
                ClientConnections.bind(
                    system,
                    Http.get(system).newServerAt(settings.apiHost(), settings.api().port()),
                    concat(apiRoute, DashboardAssets.route()),
                    settings.api().maxConnectionsPerClient()))
            : NOT_BOUND;
    int metricsPort =
        bind(
            system,
            "metrics",
            Http.get(system).newServerAt(settings.metrics().host(), settings.metrics().port()),
            Optional.empty(),
            MetricsRoute.route());
    int managementPort = await(PekkoManagement.get(system).start()).port();
    if (bootstrap) {
      // Contact points probe each other through management, so it must be up first.
      ClusterBootstrap.get(system).start();
    }
    return new SwitchboardNode(system, opampPort, apiPort, metricsPort, managementPort);
  }

  /**
   * This node's OpAMP address for package downloads when no base URL is configured: its host name
   * and OpAMP port (none on a node without the agents role, which then offers nothing to download).
   */
  private static String ownOpampUrl(NodeSettings settings, int opampPort) {
    String host = settings.opamp().host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      try {
        host = java.net.InetAddress.getLocalHost().getCanonicalHostName();
      } catch (java.net.UnknownHostException e) {
        host = "localhost";
      }
    }
    return (settings.opamp().tls().isPresent() ? "https://" : "http://") + host + ":" + opampPort;
  }

  /** What every agent entity of this node works with. */
  private static AgentDependencies agentDependencies(
      ActorSystem<?> system,
      Stores stores,
      ActorRef<StatusWriter.Command> statusWriter,
      NodeSettings settings) {
    int newAgents = settings.opamp().admission().newAgentsPerSecond();
    return new AgentDependencies(
        statusWriter,
        new StoredEnvelopeLedger(stores.envelopes()),
        AgentStarts.batched(stores.agents()),
        new TokenBucket(newAgents, newAgents),
        (instanceUid, bound, presented, node) ->
            stores
                .agents()
                .recordIdentityConflict(instanceUid, bound, presented, node)
                .whenComplete(
                    (written, failure) -> {
                      if (failure != null) {
                        system
                            .log()
                            .warn(
                                "Could not audit an identity conflict of agent {}: {}",
                                instanceUid,
                                failure.toString());
                      }
                    }),
        Tracing.get(system),
        AgentCertificates.NONE);
  }

  /** The dashboard's own reads and its live updates. */
  private static DashboardApi dashboard(
      ActorSystem<?> system, Stores stores, ApiSettings api, ObjectMapper json) {
    Cluster cluster = Cluster.get(system);
    Supplier<List<ClusterMember>> members =
        () ->
            StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                .map(
                    member ->
                        new ClusterMember(
                            member.address().toString(),
                            member.status().toString(),
                            member.getRoles().stream()
                                .filter(role -> !role.startsWith("dc-"))
                                .sorted()
                                .toList()))
                .toList();
    return new DashboardApi(
        stores.fleet(),
        new LiveBus(system, stores.fleet(), api.liveInterval(), json),
        members,
        api.liveInterval(),
        json);
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
  private static void drainOnShutdown(
      ActorSystem<?> system, LiveSessions sessions, NodeDraining draining) {
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseServiceRequestsDone(),
            "drain-agent-sessions",
            () -> sessions.drain(draining, DRAIN_TIMEOUT));
  }

  private static int bind(
      ActorSystem<?> system,
      String name,
      ServerBuilder server,
      Optional<HttpsConnectionContext> tls,
      Route route) {
    return bind(system, name, tls.map(server::enableHttps).orElse(server).bind(route));
  }

  private static int bind(
      ActorSystem<?> system, String name, CompletionStage<ServerBinding> bound) {
    ServerBinding binding = await(bound);
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
