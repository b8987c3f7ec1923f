package io.switchboard.api;

import static org.apache.pekko.http.javadsl.server.Directives.concat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.switchboard.api.auth.AuthSettings;
import io.switchboard.api.auth.OperatorAccess;
import io.switchboard.api.dashboard.DashboardApi;
import io.switchboard.api.dashboard.DashboardAssets;
import io.switchboard.api.dashboard.LiveBus;
import io.switchboard.api.http.Json;
import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.cluster.agent.AgentRefs;
import io.switchboard.dispatch.AgentRecordActions;
import io.switchboard.dispatch.DispatchSettings;
import io.switchboard.dispatch.Dispatcher;
import io.switchboard.dispatch.assignment.AssignmentApply;
import io.switchboard.dispatch.assignment.Assignments;
import io.switchboard.dispatch.components.ComponentCheck;
import io.switchboard.dispatch.packages.PackageSets;
import io.switchboard.dispatch.packages.PackageSettings;
import io.switchboard.dispatch.rollout.RolloutDriver;
import io.switchboard.dispatch.rollout.RolloutSettings;
import io.switchboard.dispatch.rollout.Rollouts;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.envelopes.EnvelopeState;
import io.switchboard.persistence.stores.Stores;
import io.switchboard.testkit.TestDatabase;
import io.switchboard.testkit.TestNodes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * The operator API (and the dashboard's assets) on their own, wired as a node wires them and bound
 * to a free port: real stores on a real PostgreSQL ({@link Stores#on}), the real dispatcher and
 * rollouts. Only the agents' entities, which live in another module, are stood in for: each takes
 * every envelope handed to it and answers SENT, and {@link #entities()} sees what they are sent.
 * Requests go over HTTP (the JDK client, through {@code HttpProbe}), as a browser's or script's do.
 */
public final class TestApi implements AutoCloseable {

  private final TestDatabase db;
  private final Database database;
  private final ActorTestKit testKit;
  private final TestProbe<AgentProtocol.Command> entities;
  private final ServerBinding binding;

  private TestApi(Path dataDir, Map<String, Object> overrides) {
    Map<String, Object> settings = new HashMap<>();
    // Tests of the API itself act as anonymous operators; sign-in has its own tests.
    settings.put("switchboard.api.auth.enabled", false);
    settings.put("pekko.actor.testkit.typed.single-expect-default", "10s");
    settings.putAll(overrides);
    Config config = ConfigFactory.load(ConfigFactory.parseMap(settings));
    Config switchboard = config.getConfig("switchboard");
    ApiSettings api = ApiSettings.fromConfig(switchboard);
    ObjectMapper json = Json.mapper();

    db = TestDatabase.start();
    database = Database.small(db.url());
    Stores stores = Stores.on(database);
    testKit = ActorTestKit.create("api", config);
    try {
      entities = testKit.createTestProbe(AgentProtocol.Command.class);
      ActorRef<AgentProtocol.Command> entity =
          testKit.spawn(
              Behaviors.monitor(
                  AgentProtocol.Command.class,
                  entities.getRef(),
                  Behaviors.receiveMessage(
                      command -> {
                        if (command instanceof AgentProtocol.TakeEnvelope envelope) {
                          envelope
                              .replyTo()
                              .tell(new AgentProtocol.EnvelopeReceipt(EnvelopeState.SENT, null));
                        } else if (command instanceof AgentProtocol.Remove remove) {
                          remove.replyTo().tell(org.apache.pekko.Done.getInstance());
                        }
                        return Behaviors.same();
                      })));
      AgentRefs agents = uid -> TestEntityRef.of(AgentEntity.TYPE_KEY, uid, entity);
      Dispatcher dispatcher =
          new Dispatcher(
              stores.envelopes(),
              agents,
              api.askTimeout(),
              testKit.system().ignoreRef(),
              Clock.systemUTC());
      TestProbe<RolloutDriver.Command> driver =
          testKit.createTestProbe(RolloutDriver.Command.class);
      Rollouts rollouts =
          new Rollouts(
              stores.rollouts(),
              stores.configurations(),
              stores.agents(),
              dispatcher,
              RolloutSettings.fromConfig(switchboard),
              driver.getRef(),
              new PackageSets(stores.packages(), () -> "http://127.0.0.1"),
              json,
              new ComponentCheck(stores.components(), ComponentCheck.LISTED));
      OperatorAccess access =
          OperatorAccess.create(
              stores.operators(),
              stores.sessions(),
              stores.tokens(),
              AuthSettings.fromConfig(switchboard),
              testKit
                  .system()
                  .dispatchers()
                  .lookup(DispatcherSelector.fromConfig(AuthSettings.HASHING_DISPATCHER)),
              json);
      access.ensureFirstAdmin(dataDir).toCompletableFuture().get(30, TimeUnit.SECONDS);
      DashboardApi dashboard =
          new DashboardApi(
              stores.fleet(),
              new LiveBus(testKit.system(), stores.fleet(), api.liveInterval(), json),
              List::of,
              api.liveInterval(),
              json);
      OperatorApi operatorApi =
          new OperatorApi(
              stores,
              new AgentRecordActions(stores.agents(), agents),
              dispatcher,
              DispatchSettings.fromConfig(switchboard),
              rollouts,
              access,
              dashboard,
              api,
              json,
              () -> true,
              PackageSettings.fromConfig(switchboard),
              new Assignments(
                  stores.assignments(),
                  stores.assignmentResolution(),
                  stores.configurations(),
                  rollouts,
                  new AssignmentApply(
                      stores.assignments(),
                      stores.assignmentResolution(),
                      dispatcher,
                      RolloutSettings.fromConfig(switchboard).batchDeadline(),
                      json),
                  new PackageSets(stores.packages(), () -> "http://127.0.0.1"),
                  json));
      binding =
          Http.get(testKit.system())
              // A test that must know the port first (a redirect URI) names it; others get any.
              .newServerAt(
                  "127.0.0.1", overrides.containsKey("switchboard.api.port") ? api.port() : 0)
              .bind(concat(operatorApi.route(), DashboardAssets.route()))
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      close(null);
      throw new IllegalStateException("the operator API did not start", e);
    }
  }

  /**
   * The API with {@code switchboard.api.*} (and other) settings over the defaults, anonymous
   * operators.
   */
  public static TestApi start(Map<String, Object> settings) {
    return new TestApi(TestNodes.newDataDir(), settings);
  }

  public static TestApi start() {
    return start(Map.of());
  }

  /**
   * The API whose first admin, if auth is on, is made in {@code dataDir} as a node makes it in its
   * own.
   */
  public static TestApi start(Path dataDir, Map<String, Object> settings) {
    return new TestApi(dataDir, settings);
  }

  public int port() {
    return binding.localAddress().getPort();
  }

  /** The API's PostgreSQL, for rows a test needs there first (agents that reported) or checks. */
  public TestDatabase db() {
    return db;
  }

  /** Every message the dispatcher sends to any agent's entity. */
  public TestProbe<AgentProtocol.Command> entities() {
    return entities;
  }

  @Override
  public void close() {
    close(binding);
  }

  private void close(ServerBinding bound) {
    try {
      if (bound != null) {
        bound.terminate(Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      // shutting the system down closes what is left
    } finally {
      testKit.shutdownTestKit();
      database.close();
      db.close();
    }
  }
}
