package io.minidynamo.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.cluster.Peers;
import io.minidynamo.cluster.Reachability;
import io.minidynamo.replica.CommittedReads;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.ring.Ring;
import io.minidynamo.storage.PartitionState;
import io.minidynamo.versioning.HybridClock;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many requests in the one {@link Coordinators} actor: each write and read gets its own request id,
 * answers find their request by it whatever their order, and an answer for a request that is done or
 * never existed changes nothing.
 *
 * <p>Three nodes, N = 3: every key's primaries are n1..n3, all probes.
 */
class CoordinatorsTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final Duration QUIET = Duration.ofMillis(100);

  private final Map<String, TestProbe<ReplicaProtocol.Command>> replicas = new HashMap<>();
  private ActorRef<Coordinators.Command> coordinators;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void start() {
    Map<String, ActorRef<ReplicaProtocol.Command>> refs = new HashMap<>();
    Map<String, ActorRef<ReplicaProtocol.Command>> hintRefs = new HashMap<>();
    for (String node : List.of("n1", "n2", "n3")) {
      replicas.put(node, testKit.createTestProbe());
      refs.put(node, replicas.get(node).ref());
      hintRefs.put(node, testKit.<ReplicaProtocol.Command>createTestProbe().ref());
    }
    Coordinators.Settings settings =
        new Coordinators.Settings(LONG, true, new RepairBudget(100, () -> 0L));
    coordinators = testKit.spawn(Coordinators.create("n1", Ring.create(List.of("n1", "n2", "n3"), 8, 3),
        new Peers(refs, hintRefs), CommittedReads.none(), new HybridClock(() -> 0L), new Reachability(),
        settings));
  }

  @Test
  void concurrentWrites_acksInterleaved_eachClientGetsItsOwnAnswer() {
    TestProbe<PutCoordinator.Result> a = testKit.createTestProbe();
    TestProbe<PutCoordinator.Result> b = testKit.createTestProbe();
    coordinators.tell(write("a", a));
    coordinators.tell(write("b", b));
    Map<String, List<Write>> writes = new HashMap<>();
    for (String node : List.of("n1", "n2", "n3")) {
      writes.put(node, List.of(
          replicas.get(node).expectMessageClass(Write.class),
          replicas.get(node).expectMessageClass(Write.class)));
    }
    Write firstA = writes.get("n1").get(0);
    Write firstB = writes.get("n1").get(1);
    assertEquals("a", firstA.record().key());
    assertNotEquals(firstA.request(), firstB.request());

    writes.get("n2").get(1).answer("n2", null); // b
    writes.get("n3").get(0).answer("n3", null); // a
    writes.get("n1").get(1).answer("n1", null); // b: W = 2
    assertEquals("b", ((PutCoordinator.Result.Ok) b.receiveMessage()).record().key());
    a.expectNoMessage(QUIET);
    writes.get("n1").get(0).answer("n1", null); // a: W = 2
    assertEquals("a", ((PutCoordinator.Result.Ok) a.receiveMessage()).record().key());
  }

  @Test
  void answersForUnknownOrFinishedRequests_areIgnored() {
    TestProbe<PutCoordinator.Result> client = testKit.createTestProbe();
    coordinators.tell(write("k", client));
    List<Write> writes = List.of(
        replicas.get("n1").expectMessageClass(Write.class),
        replicas.get("n2").expectMessageClass(Write.class),
        replicas.get("n3").expectMessageClass(Write.class));
    Write first = writes.get(0);
    // an ack naming another request id does not count for this one
    first.replyTo().tell(new WriteAck("n1", "k", first.request() + 1000, null));
    first.replyTo().tell(new WriteAck("n2", "k", first.request() + 1000, null));
    client.expectNoMessage(QUIET);
    for (int i = 0; i < writes.size(); i++) {
      writes.get(i).answer("n" + (i + 1), null);
    }
    client.expectMessageClass(PutCoordinator.Result.Ok.class);
    // the request is done: a repeated ack is dropped, the client hears nothing more
    first.answer("n1", null);
    client.expectNoMessage(QUIET);
  }

  @Test
  void readAndWriteTogether_repliesFindTheirRequests() {
    TestProbe<PutCoordinator.Result> writer = testKit.createTestProbe();
    TestProbe<GetCoordinator.Result> reader = testKit.createTestProbe();
    coordinators.tell(write("k", writer));
    coordinators.tell(new Coordinators.ClientRead("k", 2, LONG, reader.ref()));
    Record stored = Record.put("k", "old".getBytes(StandardCharsets.UTF_8), new Version(1, "n2"));
    for (String node : List.of("n1", "n2")) {
      TestProbe<ReplicaProtocol.Command> replica = replicas.get(node);
      Write write = replica.expectMessageClass(Write.class);
      Read read = replica.expectMessageClass(Read.class);
      assertNotEquals(write.request(), read.request());
      read.answer(node, stored);
      write.answer(node, null);
    }
    assertEquals(new GetCoordinator.Result.Found(stored), reader.receiveMessage());
    writer.expectMessageClass(PutCoordinator.Result.Ok.class);
  }

  @Test
  void read_thisNodeAPrimaryAndRecovered_answersFromItsDurableRecordsWithoutAskingItsReplica() {
    Ring ring = Ring.create(List.of("n1", "n2", "n3"), 8, 3);
    Record newer = Record.put("k", "new".getBytes(StandardCharsets.UTF_8), new Version(2, "n1"));
    Record older = Record.put("k", "old".getBytes(StandardCharsets.UTF_8), new Version(1, "n1"));
    PartitionState local = new PartitionState();
    local.apply(newer);
    ActorRef<Coordinators.Command> withLocal = spawn(
        CommittedReads.recovered(Map.of(ring.partitionOf("k"), local)));
    TestProbe<GetCoordinator.Result> reader = testKit.createTestProbe();
    withLocal.tell(new Coordinators.ClientRead("k", 2, LONG, reader.ref()));

    Read toN2 = replicas.get("n2").expectMessageClass(Read.class);
    Read toN3 = replicas.get("n3").expectMessageClass(Read.class);
    reader.expectNoMessage(QUIET); // one answer (this node's) of the two required
    toN2.answer("n2", older);
    assertEquals(new GetCoordinator.Result.Found(newer), reader.receiveMessage());
    toN3.answer("n3", newer);
    // n2's stale copy is repaired; this node's replica was never asked
    assertEquals(newer, replicas.get("n2").expectMessageClass(Write.class).record());
    replicas.get("n1").expectNoMessage(QUIET);
  }

  @Test
  void read_thisNodesPartitionNotRecovered_asksItsReplica() {
    ActorRef<Coordinators.Command> recovering = spawn(new CommittedReads(List.of(0, 1, 2, 3, 4, 5, 6, 7)));
    TestProbe<GetCoordinator.Result> reader = testKit.createTestProbe();
    recovering.tell(new Coordinators.ClientRead("k", 2, LONG, reader.ref()));
    for (String node : List.of("n1", "n2")) {
      replicas.get(node).expectMessageClass(Read.class).answer(node, null);
    }
    assertEquals(new GetCoordinator.Result.NotFound(), reader.receiveMessage());
  }

  private ActorRef<Coordinators.Command> spawn(CommittedReads committed) {
    Map<String, ActorRef<ReplicaProtocol.Command>> refs = new HashMap<>();
    replicas.forEach((node, probe) -> refs.put(node, probe.ref()));
    return testKit.spawn(Coordinators.create("n1", Ring.create(List.of("n1", "n2", "n3"), 8, 3),
        new Peers(refs, refs), committed, new HybridClock(() -> 0L), new Reachability(),
        new Coordinators.Settings(LONG, true, new RepairBudget(100, () -> 0L))));
  }

  /**
   * Timers are swept, not scheduled one by one: each still fires, and never before its time. Here
   * the primaries-silent timer, at half the client's deadline (the replica timeout is capped there):
   * with no replica answering and no fallback to hand off to, the write fails then.
   */
  @Test
  void silentPrimaries_eachWriteFailsAtItsReplicaTimeout_neverBefore() {
    TestProbe<PutCoordinator.Result> later = testKit.createTestProbe();
    TestProbe<PutCoordinator.Result> sooner = testKit.createTestProbe();
    long start = System.nanoTime();
    coordinators.tell(new Coordinators.ClientWrite(
        "later", bytes("v"), 2, Duration.ofMillis(1_000), later.ref()));
    coordinators.tell(new Coordinators.ClientWrite(
        "sooner", bytes("v"), 2, Duration.ofMillis(300), sooner.ref()));
    assertEquals(new PutCoordinator.Result.Failed(0, 2), sooner.receiveMessage(LONG));
    long soonerMillis = millisSince(start);
    assertEquals(new PutCoordinator.Result.Failed(0, 2), later.receiveMessage(LONG));
    long laterMillis = millisSince(start);
    assertTrue(soonerMillis >= 150, "sooner failed after " + soonerMillis + " ms");
    assertTrue(laterMillis >= 500, "later failed after " + laterMillis + " ms");
  }

  @Test
  void deadline_ofARequestAfterAnIdleSpell_stillFires() {
    TestProbe<PutCoordinator.Result> first = testKit.createTestProbe();
    coordinators.tell(write("first", first));
    for (String node : List.of("n1", "n2", "n3")) {
      replicas.get(node).expectMessageClass(Write.class).answer(node, null);
    }
    first.expectMessageClass(PutCoordinator.Result.Ok.class);
    first.expectNoMessage(QUIET); // done, and nothing in flight for longer than a sweep interval
    TestProbe<PutCoordinator.Result> second = testKit.createTestProbe();
    coordinators.tell(new Coordinators.ClientWrite(
        "second", bytes("v"), 2, Duration.ofMillis(200), second.ref()));
    assertEquals(new PutCoordinator.Result.Failed(0, 2), second.receiveMessage(LONG));
  }

  private static long millisSince(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static Coordinators.ClientWrite write(String key, TestProbe<PutCoordinator.Result> client) {
    return new Coordinators.ClientWrite(
        key, key.getBytes(StandardCharsets.UTF_8), 2, LONG, client.ref());
  }
}
