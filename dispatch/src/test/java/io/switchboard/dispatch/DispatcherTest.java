package io.switchboard.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchboard.cluster.agent.AgentEntity;
import io.switchboard.cluster.agent.AgentProtocol;
import io.switchboard.opamp.proto.CommandType;
import io.switchboard.opamp.proto.ServerToAgent;
import io.switchboard.opamp.proto.ServerToAgentCommand;
import io.switchboard.persistence.Database;
import io.switchboard.persistence.envelopes.EnvelopeKind;
import io.switchboard.persistence.envelopes.EnvelopeState;
import io.switchboard.persistence.envelopes.EnvelopeStore;
import io.switchboard.testkit.FleetTable;
import io.switchboard.testkit.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dispatcher on a real PostgreSQL, with a stand-in for the agents' entities that sends
 * everything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DispatcherTest {

  private static final ServerToAgent RESTART =
      ServerToAgent.newBuilder()
          .setCommand(ServerToAgentCommand.newBuilder().setType(CommandType.CommandType_Restart))
          .build();

  private TestDatabase db;
  private Database database;
  private ActorTestKit testKit;
  private Dispatcher dispatcher;
  private List<String> agents;
  private final Set<UUID> handedOver = ConcurrentHashMap.newKeySet();

  @BeforeAll
  void start() {
    db = TestDatabase.start();
    database = Database.small(db.url());
    FleetTable.fill(db, 300);
    agents =
        List.of(
            db.queryForString(
                    "SELECT string_agg(instance_uid, ',' ORDER BY instance_uid) FROM agents")
                .split(","));
    testKit = ActorTestKit.create();
    ActorRef<AgentProtocol.Command> entities =
        testKit.spawn(
            Behaviors.receiveMessage(
                command -> {
                  if (command instanceof AgentProtocol.TakeEnvelope dispatch) {
                    handedOver.add(dispatch.envelope());
                    dispatch
                        .replyTo()
                        .tell(new AgentProtocol.EnvelopeReceipt(EnvelopeState.SENT, null));
                  }
                  return Behaviors.same();
                }));
    dispatcher =
        new Dispatcher(
            new EnvelopeStore(database.pool()),
            uid -> TestEntityRef.of(AgentEntity.TYPE_KEY, uid, entities),
            Duration.ofSeconds(10),
            testKit.system().ignoreRef(),
            Clock.systemUTC());
  }

  @AfterAll
  void stop() {
    testKit.shutdownTestKit();
    database.close();
    db.close();
  }

  @Test
  void hundredsOfCommandsAtOnceAreEachWrittenOnceAndHandedOver() throws Exception {
    List<CompletableFuture<Dispatcher.Submitted>> submitted =
        agents.stream()
            .map(agent -> dispatcher.submit(restart(agent, "{}", "bulk")).toCompletableFuture())
            .toList();

    for (CompletableFuture<Dispatcher.Submitted> answer : submitted) {
      Dispatcher.Accepted accepted =
          assertInstanceOf(Dispatcher.Accepted.class, answer.get(60, TimeUnit.SECONDS));
      assertEquals(EnvelopeState.SENT, accepted.envelope().state());
      assertEquals(
          true, handedOver.contains(accepted.envelope().id()), "handed to the agent's entity");
    }
    assertEquals(
        "300 300",
        db.queryForString(
            "SELECT count(*) || ' ' || count(DISTINCT instance_uid) FROM dispatch_envelopes WHERE kind = 'RESTART' AND created_by = 'bulk'"));
  }

  @Test
  void anAgentSwitchboardNeverSawIsRefusedAndNothingIsWritten() throws Exception {
    Dispatcher.Submitted answer =
        dispatcher
            .submit(restart("no-such-agent", "{}", "bulk"))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);

    assertEquals(new Dispatcher.UnknownAgent("no-such-agent"), answer);
    assertEquals(
        "0",
        db.queryForString(
            "SELECT count(*)::text FROM dispatch_envelopes WHERE instance_uid = 'no-such-agent'"));
  }

  /**
   * Commands that arrive together share a statement; one the database refuses must not take the
   * others down.
   */
  @Test
  void aCommandTheDatabaseRefusesFailsAloneNotTheOthersWrittenWithIt() throws Exception {
    List<CompletableFuture<Dispatcher.Submitted>> submitted =
        IntStream.range(0, 60)
            .mapToObj(
                i ->
                    dispatcher
                        .submit(restart(agents.get(i), i == 30 ? "not json" : "{}", "refusal-test"))
                        .toCompletableFuture())
            .toList();

    for (int i = 0; i < submitted.size(); i++) {
      if (i == 30) {
        CompletableFuture<Dispatcher.Submitted> refused = submitted.get(i);
        assertThrows(ExecutionException.class, () -> refused.get(60, TimeUnit.SECONDS));
      } else {
        assertInstanceOf(
            Dispatcher.Accepted.class, submitted.get(i).get(60, TimeUnit.SECONDS), "command " + i);
      }
    }
    assertEquals(
        "59",
        db.queryForString(
            "SELECT count(*)::text FROM dispatch_envelopes WHERE created_by = 'refusal-test'"));
  }

  private static OperatorCommand restart(String agent, String payload, String operator) {
    return new OperatorCommand(
        agent, EnvelopeKind.RESTART, payload, RESTART, null, Duration.ofMinutes(5), operator);
  }
}
