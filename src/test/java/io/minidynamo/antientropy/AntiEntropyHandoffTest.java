package io.minidynamo.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.cluster.Peers;
import io.minidynamo.cluster.Reachability;
import io.minidynamo.handoff.HintProtocol.GetHintTargets;
import io.minidynamo.handoff.HintProtocol.HintTargets;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.ReplicaProtocol.GetTree;
import io.minidynamo.replica.ReplicaProtocol.GetTreeHashes;
import io.minidynamo.replica.ReplicaProtocol.TreeCopy;
import io.minidynamo.ring.Ring;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The anti-entropy manager of n1 in a 3-node ring (every partition on every node) leaves out
 * exchanges with a node that hints are pending for, anywhere, for at most the handoff deferral.
 * n1's own replica answers with an empty tree; an exchange with a peer shows as a
 * {@link GetTreeHashes} at that peer's replica probe (never answered: the exchange times out).
 * The clock of the deferral is a counter the tests move.
 */
class AntiEntropyHandoffTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration TICK = Duration.ofMillis(50);
  /** Several ticks: long enough for a round that was going to start to have started. */
  private static final Duration QUIET = Duration.ofMillis(600);
  private static final Duration DEFERRAL = Duration.ofSeconds(30);

  private final AtomicLong clock = new AtomicLong(1_000_000);
  /** What the hint store of each node answers: the nodes it holds hints for. */
  private final Map<String, AtomicReference<Set<String>>> hints = Map.of(
      "n1", new AtomicReference<>(Set.of()),
      "n2", new AtomicReference<>(Set.of()),
      "n3", new AtomicReference<>(Set.of()));
  /** Nodes whose hint store does not answer (down, but not known to be). */
  private final Set<String> silent = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Reachability reachability = new Reachability();
  private TestProbe<ReplicaProtocol.Command> n2;
  private TestProbe<ReplicaProtocol.Command> n3;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void probes() {
    n2 = testKit.createTestProbe();
    n3 = testKit.createTestProbe();
  }

  @Test
  void hintsPendingForAPeer_elsewhere_itsExchangesWaitUntilTheyAreDelivered() {
    hints.get("n3").set(Set.of("n2"));
    ActorRef<AntiEntropy.Command> antiEntropy = start();
    n3.expectMessageClass(GetTreeHashes.class, Duration.ofSeconds(10));
    n2.expectNoMessage(QUIET);
    assertEquals(List.of("n2"), stats(antiEntropy).deferredForHandoff());

    hints.get("n3").set(Set.of()); // delivered
    n2.expectMessageClass(GetTreeHashes.class, Duration.ofSeconds(10));
  }

  @Test
  void hintsPendingForThisNode_allItsExchangesWait() {
    hints.get("n2").set(Set.of("n1"));
    start();
    n2.expectNoMessage(QUIET);
    n3.expectNoMessage(Duration.ZERO);

    hints.get("n2").set(Set.of());
    n2.expectMessageClass(GetTreeHashes.class, Duration.ofSeconds(10));
    n3.expectMessageClass(GetTreeHashes.class, Duration.ofSeconds(10));
  }

  @Test
  void hintsThatAreNotDelivered_stopTheWaitAfterTheDeferral() {
    hints.get("n1").set(Set.of("n2"));
    start();
    n3.expectMessageClass(GetTreeHashes.class, Duration.ofSeconds(10));
    n2.expectNoMessage(QUIET);

    clock.addAndGet(DEFERRAL.toMillis()); // still pending, but waited long enough
    n2.expectMessageClass(GetTreeHashes.class, Duration.ofSeconds(10));
  }

  @Test
  void theDeferralCountsOnlyWhileThePeerIsReachable() {
    assertTheWaitStartsWhenN2IsBack(
        () -> reachability.markUnreachable("n2"), () -> reachability.markReachable("n2"));
  }

  /** Down without the failure detector knowing (it never joined, say): its hint store is silent. */
  @Test
  void theDeferralCountsOnlyWhileThePeerAnswers() {
    assertTheWaitStartsWhenN2IsBack(() -> silent.add("n2"), () -> silent.remove("n2"));
  }

  /** n2 is down (by {@code down}) for ten deferrals while n1 holds hints for it, then back. */
  private void assertTheWaitStartsWhenN2IsBack(Runnable down, Runnable back) {
    hints.get("n1").set(Set.of("n2"));
    down.run();
    ActorRef<AntiEntropy.Command> antiEntropy = start();
    awaitNewRound(antiEntropy);
    clock.addAndGet(DEFERRAL.toMillis() * 10);
    awaitNewRound(antiEntropy);

    back.run();
    n2.expectNoMessage(QUIET); // back: its hints go first
    clock.addAndGet(DEFERRAL.toMillis());
    n2.expectMessageClass(GetTreeHashes.class, Duration.ofSeconds(10));
  }

  private ActorRef<AntiEntropy.Command> start() {
    Ring ring = Ring.create(List.of("n1", "n2", "n3"), 4, 3);
    Peers peers = new Peers(
        Map.of("n1", testKit.spawn(emptyReplica()), "n2", n2.ref(), "n3", n3.ref()),
        Map.of("n1", testKit.spawn(hintStore("n1")), "n2", testKit.spawn(hintStore("n2")),
            "n3", testKit.spawn(hintStore("n3"))));
    AntiEntropy.Settings settings = new AntiEntropy.Settings(true, TICK, 4,
        new AntiEntropyExchange.Settings(3, 100, Duration.ofMillis(100)), Duration.ofHours(1), 10, DEFERRAL);
    return testKit.spawn(AntiEntropy.create("n1", ring, peers, reachability, settings, clock::get));
  }

  private static Behavior<ReplicaProtocol.Command> emptyReplica() {
    return Behaviors.receive(ReplicaProtocol.Command.class)
        .onMessage(GetTree.class, get -> {
          get.replyTo().tell(new TreeCopy(new MerkleTree(4), 0));
          return Behaviors.same();
        })
        .onAnyMessage(other -> Behaviors.same())
        .build();
  }

  private Behavior<ReplicaProtocol.Command> hintStore(String node) {
    return Behaviors.receive(ReplicaProtocol.Command.class)
        .onMessage(GetHintTargets.class, get -> {
          if (!silent.contains(node)) {
            get.replyTo().tell(new HintTargets(node, hints.get(node).get()));
          }
          return Behaviors.same();
        })
        .onAnyMessage(other -> Behaviors.same())
        .build();
  }

  /** Waits until two more rounds have started: one of them began after this call. */
  private static void awaitNewRound(ActorRef<AntiEntropy.Command> antiEntropy) {
    long before = stats(antiEntropy).rounds();
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertTrue(stats(antiEntropy).rounds() >= before + 2);
      return null;
    });
  }

  private static AntiEntropy.Stats stats(ActorRef<AntiEntropy.Command> antiEntropy) {
    TestProbe<AntiEntropy.Stats> probe = testKit.createTestProbe();
    antiEntropy.tell(new AntiEntropy.GetStats(probe.ref()));
    return probe.receiveMessage();
  }
}
