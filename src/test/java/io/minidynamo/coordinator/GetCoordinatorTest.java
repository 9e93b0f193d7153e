package io.minidynamo.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.cluster.Peers;
import io.minidynamo.cluster.Reachability;
import io.minidynamo.handoff.HintProtocol;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.versioning.HybridClock;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The get coordinator against probe replicas: newest answer after R, failures, read repair. */
class GetCoordinatorTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final List<String> TARGETS = List.of("n1", "n2", "n3");
  private static final int PARTITION = 9;
  private static final String KEY = "k";
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final Duration QUIET = Duration.ofMillis(100);
  private static final Record OLD = put("old", 1_000);
  private static final Record NEW = put("new", 2_000);
  private static final Record DELETED = Record.tombstone(KEY, new Version(3_000, "n2"));

  private TestProbe<ReplicaProtocol.Command> n1;
  private TestProbe<ReplicaProtocol.Command> n2;
  private TestProbe<ReplicaProtocol.Command> n3;
  private TestProbe<GetCoordinator.Result> client;
  private Peers peers;
  private HybridClock clock;
  private AtomicLong nanos;
  private RepairBudget repairs;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void probes() {
    n1 = testKit.createTestProbe();
    n2 = testKit.createTestProbe();
    n3 = testKit.createTestProbe();
    client = testKit.createTestProbe();
    Map<String, ActorRef<ReplicaProtocol.Command>> replicas =
        Map.of("n1", n1.ref(), "n2", n2.ref(), "n3", n3.ref());
    peers = new Peers(replicas, Map.of()); // a read never hints
    clock = new HybridClock(() -> 0L);
    nanos = new AtomicLong();
    repairs = new RepairBudget(100, nanos::get); // time stands still: 100 repairs in all
  }

  @Test
  void create_asksEveryPrimaryForTheKey() {
    start(2, LONG);
    for (TestProbe<ReplicaProtocol.Command> replica : List.of(n1, n2, n3)) {
      Read read = replica.expectMessageClass(Read.class);
      assertEquals(PARTITION, read.partition());
      assertEquals(KEY, read.key());
    }
  }

  @Test
  void reply_rReplies_answersTheNewest() {
    start(2, LONG);
    reply(n1, "n1", OLD);
    client.expectNoMessage(QUIET);
    reply(n2, "n2", NEW);
    client.expectMessage(new GetCoordinator.Result.Found(NEW));
  }

  @Test
  void reply_newestIsATombstone_answersNotFound() {
    start(2, LONG);
    reply(n1, "n1", DELETED);
    reply(n2, "n2", NEW);
    client.expectMessage(new GetCoordinator.Result.NotFound());
  }

  @Test
  void reply_noReplicaHasTheKey_answersNotFound() {
    start(2, LONG);
    reply(n1, "n1", null);
    reply(n2, "n2", null);
    client.expectMessage(new GetCoordinator.Result.NotFound());
  }

  @Test
  void reply_sameNodeTwice_countsOnce() {
    start(2, LONG);
    Read read = n1.expectMessageClass(Read.class);
    read.answer("n1", NEW);
    read.answer("n1", NEW);
    client.expectNoMessage(QUIET);
    reply(n2, "n2", OLD);
    client.expectMessage(new GetCoordinator.Result.Found(NEW));
  }

  @Test
  void reply_afterAnswering_doesNotAnswerAgain() {
    start(1, LONG);
    reply(n1, "n1", OLD);
    client.expectMessage(new GetCoordinator.Result.Found(OLD));
    reply(n2, "n2", NEW);
    reply(n3, "n3", NEW);
    client.expectNoMessage(QUIET);
  }

  @Test
  void reply_observesTheRecordTimestampOnTheClock() {
    start(1, LONG);
    reply(n1, "n1", NEW);
    client.expectMessage(new GetCoordinator.Result.Found(NEW));
    assertTrue(clock.now() > NEW.version().timestamp());
  }

  @Test
  void fail_rNoLongerReachable_answersFailedBeforeTheDeadline() {
    // The deadline is 30 s; the default expectMessage wait (3 s) only passes on an early answer.
    start(2, LONG);
    error(n1, "n1");
    client.expectNoMessage(QUIET);
    error(n2, "n2");
    client.expectMessage(new GetCoordinator.Result.Failed(0, 2));
  }

  @Test
  void deadline_replicasSilent_failsWithTheRepliesReceivedAndStops() {
    ActorRef<?> coordinator = start(2, SHORT);
    reply(n1, "n1", NEW);
    client.expectMessage(new GetCoordinator.Result.Failed(1, 2));
    client.expectTerminated(coordinator);
  }

  @Test
  void readRepair_afterAllReplies_writesTheNewestToStaleAndMissingReplicas() {
    ActorRef<?> coordinator = start(2, LONG);
    reply(n1, "n1", NEW);
    reply(n2, "n2", OLD);
    client.expectMessage(new GetCoordinator.Result.Found(NEW));
    reply(n3, "n3", null);
    assertRepaired(n2, NEW);
    assertRepaired(n3, NEW);
    n1.expectNoMessage(QUIET);
    client.expectTerminated(coordinator);
  }

  @Test
  void readRepair_atTheDeadline_repairsTheRepliersOnly() {
    ActorRef<?> coordinator = start(2, SHORT);
    reply(n1, "n1", OLD);
    reply(n2, "n2", NEW);
    client.expectMessage(new GetCoordinator.Result.Found(NEW));
    n3.expectMessageClass(Read.class); // and never answers
    assertRepaired(n1, NEW);
    client.expectTerminated(coordinator);
    n2.expectNoMessage(QUIET);
    n3.expectNoMessage(QUIET);
  }

  @Test
  void readRepair_tombstoneNewest_propagatesTheTombstone() {
    start(3, LONG);
    reply(n1, "n1", DELETED);
    reply(n2, "n2", null);
    reply(n3, "n3", OLD);
    client.expectMessage(new GetCoordinator.Result.NotFound());
    assertRepaired(n2, DELETED);
    assertRepaired(n3, DELETED);
    n1.expectNoMessage(QUIET);
  }

  @Test
  void readRepair_replicasAgree_sendsNoWrite() {
    ActorRef<?> coordinator = start(2, LONG);
    reply(n1, "n1", NEW);
    reply(n2, "n2", put("new", 2_000));
    reply(n3, "n3", NEW);
    client.expectMessage(new GetCoordinator.Result.Found(NEW));
    client.expectTerminated(coordinator);
    n1.expectNoMessage(QUIET);
    n2.expectNoMessage(QUIET);
    n3.expectNoMessage(QUIET);
  }

  @Test
  void readRepair_failedReplica_isNotWritten() {
    start(2, LONG);
    reply(n1, "n1", NEW);
    reply(n2, "n2", OLD);
    client.expectMessage(new GetCoordinator.Result.Found(NEW));
    error(n3, "n3");
    assertRepaired(n2, NEW);
    n3.expectNoMessage(QUIET);
  }

  @Test
  void readRepair_budgetExhausted_sendsNoWriteAndCountsTheSkip() {
    assertTrue(repairs.tryAcquire(100)); // another coordinator took the whole budget
    ActorRef<?> coordinator = start(2, LONG);
    reply(n1, "n1", NEW);
    reply(n2, "n2", OLD);
    client.expectMessage(new GetCoordinator.Result.Found(NEW));
    reply(n3, "n3", null);
    client.expectTerminated(coordinator);
    n1.expectNoMessage(QUIET);
    n2.expectNoMessage(QUIET);
    n3.expectNoMessage(QUIET);
    assertEquals(2, repairs.skipped());
    assertEquals(100, repairs.sent());
  }

  @Test
  void readRepair_budgetForFewerThanTheStaleReplicas_repairsNone() {
    assertTrue(repairs.tryAcquire(99)); // one token left, two replicas stale: all or none
    ActorRef<?> coordinator = start(3, LONG);
    reply(n1, "n1", NEW);
    reply(n2, "n2", OLD);
    reply(n3, "n3", null);
    client.expectMessage(new GetCoordinator.Result.Found(NEW));
    client.expectTerminated(coordinator);
    n2.expectNoMessage(QUIET);
    n3.expectNoMessage(QUIET);
  }

  @Test
  void readRepair_withinTheBudget_takesOneTokenPerStaleReplica() {
    ActorRef<?> coordinator = start(3, LONG);
    reply(n1, "n1", NEW);
    reply(n2, "n2", OLD);
    reply(n3, "n3", null);
    client.expectMessage(new GetCoordinator.Result.Found(NEW));
    assertRepaired(n2, NEW);
    assertRepaired(n3, NEW);
    client.expectTerminated(coordinator);
    assertEquals(2, repairs.sent());
    assertEquals(0, repairs.skipped());
  }

  private ActorRef<Coordinators.Command> start(int r, Duration timeout) {
    GetCoordinator.Plan plan =
        new GetCoordinator.Plan(KEY, PARTITION, TARGETS, List.of(), r, timeout, timeout);
    return start(plan, peers, new Reachability());
  }

  @Test
  void primarySilent_fallbackHintStoreIsAsked_andItsRecordCountsTowardR() {
    TestProbe<ReplicaProtocol.Command> n4Hints = testKit.createTestProbe();
    Peers withFallback = new Peers(
        Map.of("n1", n1.ref(), "n2", n2.ref(), "n3", n3.ref()), Map.of("n4", n4Hints.ref()));
    GetCoordinator.Plan plan = new GetCoordinator.Plan(
        KEY, PARTITION, TARGETS, List.of("n4"), 3, LONG, Duration.ofMillis(200));
    start(plan, withFallback, new Reachability());
    reply(n1, "n1", OLD);
    reply(n2, "n2", OLD);
    n3.expectMessageClass(Read.class); // n3 stays silent
    HintProtocol.ReadHinted read = n4Hints.expectMessageClass(HintProtocol.ReadHinted.class);
    assertEquals(KEY, read.key());
    read.replyTo().tell(new ReadReply("n4", KEY, read.request(), NEW, null));
    client.expectMessage(new GetCoordinator.Result.Found(NEW));
    // the stale primaries are repaired; the fallback is not written to as a replica
    assertRepaired(n1, NEW);
    assertRepaired(n2, NEW);
    n4Hints.expectNoMessage(QUIET);
  }

  @Test
  void unreachablePrimary_isNotAsked_fallbackIsAskedAtOnce() {
    TestProbe<ReplicaProtocol.Command> n4Hints = testKit.createTestProbe();
    Peers withFallback = new Peers(
        Map.of("n1", n1.ref(), "n2", n2.ref(), "n3", n3.ref()), Map.of("n4", n4Hints.ref()));
    Reachability reachability = new Reachability();
    reachability.markUnreachable("n2");
    GetCoordinator.Plan plan = new GetCoordinator.Plan(
        KEY, PARTITION, TARGETS, List.of("n4"), 2, LONG, LONG);
    start(plan, withFallback, reachability);
    n4Hints.expectMessageClass(HintProtocol.ReadHinted.class);
    n2.expectNoMessage(QUIET);
  }

  private ActorRef<Coordinators.Command> start(
      GetCoordinator.Plan plan, Peers peers, Reachability reachability) {
    return testKit.spawn(Coordinators.single(
        "n1", peers, reachability, clock, repairs, new Coordinators.PlannedRead(plan, client.ref())));
  }

  private static void reply(TestProbe<ReplicaProtocol.Command> replica, String node, Record record) {
    replica.expectMessageClass(Read.class).answer(node, record);
  }

  private static void error(TestProbe<ReplicaProtocol.Command> replica, String node) {
    replica.expectMessageClass(Read.class).fail(node, "partition 9 is not replicated by " + node);
  }

  private static void assertRepaired(TestProbe<ReplicaProtocol.Command> replica, Record newest) {
    Write write = replica.expectMessageClass(Write.class);
    assertEquals(PARTITION, write.partition());
    assertEquals(newest, write.record());
  }

  private static Record put(String value, long timestamp) {
    return Record.put(KEY, value.getBytes(StandardCharsets.UTF_8), new Version(timestamp, "n1"));
  }
}
