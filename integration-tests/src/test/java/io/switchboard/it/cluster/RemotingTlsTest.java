package io.switchboard.it.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.Config;
import io.switchboard.testkit.ClusterCertificates;
import io.switchboard.testkit.TestNodes;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Remoting over TLS with mutual authentication, configured as a node's cluster.conf configures it:
 * two nodes whose certificates one CA signed form a cluster and talk; a third whose certificate
 * another CA signed (even one that trusts our CA) can neither join nor deliver a message.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemotingTlsTest {

  private static final String NAME = "switchboard-tls";

  private final Queue<String> received = new ConcurrentLinkedQueue<>();
  private ActorSystem<Void> first;
  private ActorSystem<Void> second;
  private ActorSystem<Void> intruder;

  @BeforeAll
  void start() throws Exception {
    ClusterCertificates ours = ClusterCertificates.newAuthority("ours");
    ClusterCertificates foreign = ClusterCertificates.newAuthority("foreign");
    foreign.trust(ours.caPem(), "ours");
    first = system(ours.remotingSettings("node-1"));
    second = system(ours.remotingSettings("node-2"));
    intruder = system(foreign.remotingSettings("intruder"));
    first.systemActorOf(
        Behaviors.receiveMessage(
            (String message) -> {
              received.add(message);
              return Behaviors.same();
            }),
        "inbox",
        Props.empty());
  }

  @AfterAll
  void stop() {
    for (ActorSystem<Void> system : List.of(first, second, intruder)) {
      if (system != null) {
        system.terminate();
      }
    }
  }

  @Test
  void onlyNodesOfTheSameAuthorityJoinAndTalk() {
    Cluster.get(first).manager().tell(Join.create(address(first)));
    Cluster.get(second).manager().tell(Join.create(address(first)));
    await().atMost(Duration.ofSeconds(30)).until(() -> upMembers(first) == 2);

    Cluster.get(intruder).manager().tell(Join.create(address(first)));
    inbox(intruder).tell("from the intruder", ActorRef.noSender());
    inbox(second).tell("from node 2", ActorRef.noSender());
    await().atMost(Duration.ofSeconds(20)).until(() -> received.contains("from node 2"));

    await()
        .during(Duration.ofSeconds(8))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                upMembers(first) == 2
                    && !received.contains("from the intruder")
                    && Cluster.get(intruder).selfMember().status() != MemberStatus.up());
    assertEquals(List.of("from node 2"), List.copyOf(received));
    assertFalse(
        members(first).stream().anyMatch(member -> member.address().equals(address(intruder))),
        "the intruder is not even a joining member");
  }

  private static ActorSystem<Void> system(Map<String, Object> remoting) {
    Map<String, Object> settings = new HashMap<>(remoting);
    settings.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    settings.put("pekko.coordinated-shutdown.run-by-actor-system-terminate", "off");
    settings.put("pekko.cluster.seed-nodes", List.of());
    Config config = TestNodes.config(settings);
    return ActorSystem.create(Behaviors.empty(), NAME, config);
  }

  private org.apache.pekko.actor.ActorSelection inbox(ActorSystem<Void> from) {
    return from.classicSystem().actorSelection(address(first) + "/system/inbox");
  }

  private static org.apache.pekko.actor.Address address(ActorSystem<Void> system) {
    return Cluster.get(system).selfMember().address();
  }

  private static List<Member> members(ActorSystem<Void> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .toList();
  }

  private static long upMembers(ActorSystem<Void> system) {
    return members(system).stream().filter(member -> member.status() == MemberStatus.up()).count();
  }
}
