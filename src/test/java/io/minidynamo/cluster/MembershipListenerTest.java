package io.minidynamo.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.minidynamo.config.ClusterConfig;
import io.minidynamo.config.HostPort;
import io.minidynamo.config.NodeInfo;
import io.minidynamo.replica.ReplicaProtocol;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.util.Version;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The listener fed cluster events directly (its actor system is a cluster node on loopback that
 * joins nothing): which of them mark a peer unreachable, and which must not.
 */
final class MembershipListenerTest {

  private static final int N2 = 1;
  private static final int N3 = 2;
  private static ActorTestKit testKit;
  private static Address self;
  private Reachability reachability;
  private TestProbe<ReplicaProtocol.Command> hints;
  private ActorRef<ClusterEvent.ClusterDomainEvent> listener;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
                + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n")
        .withFallback(ConfigFactory.load()));
    self = Cluster.get(testKit.system()).selfMember().address();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void spawnListener() {
    // n1 is this node; n2 and n3 are peers at ports nothing listens on (no message is sent to them)
    ClusterConfig cluster = new ClusterConfig(3, 2, 2, 8, List.of(
        node("n1", 1001, (Integer) self.port().get()), node("n2", 1002, N2), node("n3", 1003, N3)));
    reachability = new Reachability();
    hints = testKit.createTestProbe();
    listener = testKit.spawn(MembershipListener.create(cluster, reachability, hints.getRef()));
  }

  @Test
  void unreachable_currentIncarnation_markedUnreachable() {
    listener.tell(new ClusterEvent.MemberUp(member(N2, 20)));
    listener.tell(new ClusterEvent.UnreachableMember(member(N2, 20)));
    awaitUnreachable("n2");
  }

  @Test
  void unreachable_incarnationARestartedPeerReplaced_peerStaysReachable() {
    listener.tell(new ClusterEvent.MemberUp(member(N2, 21))); // the restarted n2
    listener.tell(new ClusterEvent.UnreachableMember(member(N2, 20))); // the killed one, late
    listener.tell(new ClusterEvent.UnreachableMember(member(N3, 30)));
    awaitUnreachable("n3"); // so every event before it was handled too
    assertFalse(reachability.isUnreachable("n2"), "the restarted n2 was marked unreachable");
  }

  @Test
  void unreachableOrRemoved_thisNodesEarlierIncarnation_neverUnreachableToItself() {
    Member earlierSelf = member(self, 10L);
    listener.tell(new ClusterEvent.UnreachableMember(earlierSelf));
    listener.tell(new ClusterEvent.MemberRemoved(earlierSelf.copy(MemberStatus.removed()),
        MemberStatus.down()));
    listener.tell(new ClusterEvent.UnreachableMember(member(N3, 30)));
    awaitUnreachable("n3");
    assertFalse(reachability.isUnreachable("n1"), "this node was marked unreachable to itself");
  }

  private static NodeInfo node(String id, int httpPort, int remotePort) {
    return new NodeInfo(id, new HostPort("127.0.0.1", httpPort), new HostPort("127.0.0.1", remotePort));
  }

  /** Incarnation {@code uid} of the peer at {@code remotePort}. */
  private static Member member(int remotePort, long uid) {
    return member(new Address("pekko", self.system(), "127.0.0.1", remotePort), uid);
  }

  /** Incarnation {@code uid} of the node at {@code address}, Up. */
  private static Member member(Address address, long uid) {
    return new Member(new UniqueAddress(address, uid), 1, MemberStatus.up(),
        scala.collection.immutable.Set$.MODULE$.empty(), Version.Zero());
  }

  private void awaitUnreachable(String id) {
    hints.awaitAssert(Duration.ofSeconds(5), () -> {
      assertTrue(reachability.isUnreachable(id), id + " marked unreachable");
      return null;
    });
  }
}
