package io.minidynamo.handoff;

import io.minidynamo.InMemoryPersistence;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.minidynamo.cluster.Peers;
import io.minidynamo.handoff.HintProtocol.GetStats;
import io.minidynamo.handoff.HintProtocol.HintedWrite;
import io.minidynamo.handoff.HintProtocol.Nudge;
import io.minidynamo.handoff.HintProtocol.Stats;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.replica.WriteBatcher;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable hint store on Pekko's in-memory journal (events through jackson-cbor) with a probe
 * standing in for the target's replica. Delivery is driven by {@link Nudge}: the periodic tick is
 * set far beyond a test's length, except where the tick itself is tested.
 *
 * <p>The journal lives as long as the test system and the persistence id is
 * {@code hints-<nodeId>}: each test uses a node id of its own.
 */
class HintStoreTest {
  private static final String TARGET = "n2";
  private static final int PARTITION = 12;
  private static final Duration NEVER = Duration.ofHours(1);
  private static final Duration QUIET = Duration.ofMillis(200);

  @TempDir static Path snapshots;

  private static ActorTestKit testKit;
  private static int nodes;

  private TestProbe<ReplicaProtocol.Command> target;
  private Peers peers;
  private String nodeId;

  @BeforeAll
  static void start() {
    Config config = InMemoryPersistence.config(snapshots);
    testKit = ActorTestKit.create("hints", config);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void probes() {
    target = testKit.createTestProbe();
    peers = new Peers(Map.of(TARGET, target.ref()), Map.of());
    nodeId = "h" + ++nodes;
  }

  @Test
  void hintedWrite_isAcknowledgedOnceDurableAndCounted() {
    ActorRef<ReplicaProtocol.Command> store = store(settings(NEVER, 10, NEVER));
    assertEquals(WriteAck.ok(nodeId, "a"), hint(store, put("a", 1)));
    assertEquals(WriteAck.ok(nodeId, "b"), hint(store, put("b", 2)));
    Stats stats = stats(store);
    assertEquals(2, stats.count());
    assertEquals(Map.of(TARGET, 2), stats.targets());
    assertEquals(0, stats.delivered());
    target.expectNoMessage(QUIET); // no delivery without a nudge or a tick
  }

  @Test
  void nudge_sendsTheHintsAsWritesToTheTargetsReplica_andAcksDrainThem() {
    ActorRef<ReplicaProtocol.Command> store = store(settings(NEVER, 10, NEVER));
    Record a = put("a", 1);
    Record b = put("b", 2);
    hint(store, a);
    hint(store, b);
    store.tell(new Nudge(TARGET));
    Write first = target.expectMessageClass(Write.class);
    Write second = target.expectMessageClass(Write.class);
    assertEquals(List.of(a, b), List.of(first.record(), second.record())); // oldest first
    assertEquals(PARTITION, first.partition());
    first.answer(TARGET, null);
    second.answer(TARGET, null);
    awaitStats(store, stats -> {
      assertEquals(0, stats.count());
      assertEquals(Map.of(), stats.targets());
      assertEquals(2, stats.delivered());
    });
    store.tell(new Nudge(TARGET));
    target.expectNoMessage(QUIET);
  }

  @Test
  void nudge_batchInFlight_sendsNothingMore() {
    ActorRef<ReplicaProtocol.Command> store = store(settings(NEVER, 10, NEVER));
    hint(store, put("a", 1));
    store.tell(new Nudge(TARGET));
    target.expectMessageClass(Write.class);
    store.tell(new Nudge(TARGET));
    target.expectNoMessage(QUIET);
  }

  @Test
  void nudge_moreHintsThanABatch_sendsTheOldestBatchFirst_andTheNextOnceItIsAcknowledged() {
    ActorRef<ReplicaProtocol.Command> store = store(settings(NEVER, 2, NEVER));
    for (int i = 1; i <= 3; i++) {
      hint(store, put("k" + i, i));
    }
    store.tell(new Nudge(TARGET));
    List<Write> batch = List.of(
        target.expectMessageClass(Write.class), target.expectMessageClass(Write.class));
    target.expectNoMessage(QUIET);
    assertEquals(List.of("k1", "k2"), batch.stream().map(w -> w.record().key()).toList());
    batch.forEach(write -> write.answer(TARGET, null));
    // no tick (NEVER) and no nudge: the acknowledged batch itself brings the next one
    assertEquals("k3", target.expectMessageClass(Write.class).record().key());
    assertEquals(1, stats(store).count());
  }

  @Test
  void nudge_severalHintsForOneKey_sendsOnlyTheNewest_andItsAckSettlesAll() {
    ActorRef<ReplicaProtocol.Command> store = store(settings(NEVER, 10, NEVER));
    Record newest = put("k", 3);
    hint(store, put("k", 1));
    hint(store, newest);
    hint(store, put("k", 2));
    store.tell(new Nudge(TARGET));
    Write write = target.expectMessageClass(Write.class);
    assertEquals(newest, write.record());
    target.expectNoMessage(QUIET);
    write.answer(TARGET, null);
    awaitStats(store, stats -> {
      assertEquals(0, stats.count());
      assertEquals(3, stats.delivered());
    });
  }

  @Test
  void deliveryTimeout_unacked_countsAFailedAttemptAndThenProbesWithOneHint() {
    // the delivery timeout must outlast the probe's round trip below, also on a loaded machine
    ActorRef<ReplicaProtocol.Command> store = store(settings(NEVER, 10, Duration.ofMillis(1500)));
    for (int i = 1; i <= 3; i++) {
      hint(store, put("k" + i, i));
    }
    store.tell(new Nudge(TARGET));
    target.receiveSeveralMessages(3); // and never answered
    awaitStats(store, stats -> {
      assertEquals(1, stats.failedAttempts());
      assertEquals(List.of(), stats.delivering());
    });
    assertEquals(3, stats(store).count(), "nothing is dropped without an ack");

    store.tell(new Nudge(TARGET));
    Write probe = target.expectMessageClass(Write.class);
    assertEquals("k1", probe.record().key());
    target.expectNoMessage(QUIET); // one hint only while the target is failing
    probe.answer(TARGET, null);
    awaitStats(store, stats -> assertEquals(2, stats.count()));

    // it answered: full batches again, at once (no nudge, no tick)
    assertEquals(List.of("k2", "k3"), target.receiveSeveralMessages(2).stream()
        .map(message -> ((Write) message).record().key()).toList());
  }

  /**
   * A probe that went out before the target could answer waits out its own timeout (here never),
   * not the batch's; a nudge (the target joined or is reachable again) gives it up and probes
   * again at once, and the answer to the new probe resumes full batches.
   */
  @Test
  void nudge_probeInFlight_probesAgainAtOnce() {
    ActorRef<ReplicaProtocol.Command> store = store(settings(NEVER, 10, Duration.ofMillis(300), NEVER));
    for (int i = 1; i <= 3; i++) {
      hint(store, put("k" + i, i));
    }
    store.tell(new Nudge(TARGET));
    target.receiveSeveralMessages(3); // never answered: the batch times out
    awaitStats(store, stats -> assertEquals(1, stats.failedAttempts()));
    store.tell(new Nudge(TARGET));
    Write lost = target.expectMessageClass(Write.class);
    assertEquals("k1", lost.record().key());
    target.expectNoMessage(Duration.ofMillis(600)); // twice the batch timeout: the probe's is longer
    assertEquals(1, stats(store).failedAttempts());

    store.tell(new Nudge(TARGET));
    Write probe = target.expectMessageClass(Write.class);
    assertEquals("k1", probe.record().key());
    probe.answer(TARGET, null);
    assertEquals(List.of("k2", "k3"), target.receiveSeveralMessages(2).stream()
        .map(message -> ((Write) message).record().key()).toList());
    lost.answer(TARGET, null); // late: the hint is settled already
    Stats after = stats(store); // asked after the late answer, so answered after it
    assertEquals(2, after.count());
    assertEquals(1, after.delivered());
    assertEquals(List.of(TARGET), after.delivering(), "k2 and k3 still in flight");
  }

  /**
   * While the target is failing, each probe may sit in remoting's queue until it is back: a probe
   * for a key with a newer hint (here a delete after a put) carries the newest record, so a target
   * coming back never applies the stale value first.
   */
  @Test
  void probe_keyWithANewerHint_sendsTheNewestRecord() {
    ActorRef<ReplicaProtocol.Command> store = store(settings(NEVER, 10, Duration.ofMillis(300)));
    hint(store, put("k", 1));
    Record deleted = Record.tombstone("k", new Version(2, "n1"));
    hint(store, deleted);
    store.tell(new Nudge(TARGET));
    assertEquals(deleted, target.expectMessageClass(Write.class).record()); // a full batch: newest per key
    awaitStats(store, stats -> assertEquals(1, stats.failedAttempts()));
    store.tell(new Nudge(TARGET));
    Write probe = target.expectMessageClass(Write.class);
    assertEquals(deleted, probe.record(), "the probe carries the oldest hint's key at its newest");
  }

  /**
   * An answer to a batch given up on is not an answer to the batch in flight, though both carry
   * the key: here the late ack is for k's first version, while the batch in flight carries its
   * second, which the target then refuses. Both hints for k must stay.
   */
  @Test
  void deliveryAck_lateForABatchGivenUpOn_settlesNothingOfTheBatchInFlight() {
    ActorRef<ReplicaProtocol.Command> store = store(settings(NEVER, 10, Duration.ofMillis(300)));
    hint(store, put("a", 1));
    hint(store, put("k", 2));
    store.tell(new Nudge(TARGET));
    List<Write> givenUp = target.receiveSeveralMessages(2).stream().map(Write.class::cast).toList();
    awaitStats(store, stats -> assertEquals(1, stats.failedAttempts()));
    Record newer = put("k", 3);
    hint(store, newer);

    store.tell(new Nudge(TARGET));
    Write probe = target.expectMessageClass(Write.class);
    assertEquals("a", probe.record().key());
    probe.answer(TARGET, null); // the target is back: a full batch follows at once
    Write inFlight = target.expectMessageClass(Write.class);
    assertEquals(newer, inFlight.record());
    Write late = givenUp.stream().filter(write -> write.record().key().equals("k")).findFirst().orElseThrow();
    late.answer(TARGET, null); // k's first version is durable there, its second is not
    inFlight.answer(TARGET, "overloaded: 10000 writes queued");

    Stats stats = stats(store); // asked after both answers, so answered after them
    assertEquals(1, stats.delivered(), "only the probe's hint");
    assertEquals(2, stats.count(), "both hints for k are still held");
    store.tell(new Nudge(TARGET));
    assertEquals(newer, target.expectMessageClass(Write.class).record());
  }

  @Test
  void deliveryAck_refused_keepsTheHint() {
    ActorRef<ReplicaProtocol.Command> store = store(settings(NEVER, 10, NEVER));
    hint(store, put("a", 1));
    store.tell(new Nudge(TARGET));
    target.expectMessageClass(Write.class).answer(TARGET, "overloaded: 10000 writes queued");
    target.expectNoMessage(QUIET); // a refusal is retried at the next tick or nudge, not at once
    store.tell(new Nudge(TARGET)); // the refused batch is over: the hint goes again
    assertEquals("a", target.expectMessageClass(Write.class).record().key());
    Stats stats = stats(store);
    assertEquals(1, stats.count());
    assertEquals(0, stats.delivered());
  }

  @Test
  void tick_deliversWithoutANudge() {
    ActorRef<ReplicaProtocol.Command> store = store(settings(Duration.ofMillis(100), 10, NEVER));
    hint(store, put("a", 1));
    Write write = target.expectMessageClass(Write.class);
    write.answer(TARGET, null);
    awaitStats(store, stats -> assertEquals(0, stats.count()));
  }

  @Test
  void restart_pendingHintsSurviveAndAreDelivered() {
    HintStore.Settings settings = settings(NEVER, 10, NEVER);
    ActorRef<ReplicaProtocol.Command> first = store(settings);
    Record a = put("a", 1);
    Record b = put("b", 2);
    hint(first, a);
    hint(first, b);
    hint(first, put("c", 3));
    first.tell(new Nudge(TARGET));
    // c is acknowledged, a and b refused: the batch settles with only c delivered
    for (Object message : target.receiveSeveralMessages(3)) {
      Write write = (Write) message;
      String key = write.record().key();
      write.answer(TARGET, key.equals("c") ? null : "journal write failed");
    }
    awaitStats(first, stats -> assertEquals(1, stats.delivered()));
    testKit.stop(first);

    ActorRef<ReplicaProtocol.Command> second = store(settings); // same persistence id
    Stats stats = stats(second);
    assertEquals(2, stats.count());
    assertEquals(1, stats.delivered());
    second.tell(new Nudge(TARGET));
    List<Record> records = target.receiveSeveralMessages(2).stream()
        .map(message -> ((Write) message).record())
        .toList();
    assertEquals(List.of(a, b), records);
    // ids continue after the recovered ones: a new hint does not replace an old one
    hint(second, put("d", 4));
    assertEquals(3, stats(second).count());
  }

  @Test
  void restart_afterSnapshots_keepsTheHints() throws IOException {
    HintStore.Settings settings = new HintStore.Settings(
        NEVER, 10, NEVER, NEVER, new WriteBatcher.Limits(1, 1_000, Duration.ofSeconds(5)), 2, Duration.ofHours(1));
    ActorRef<ReplicaProtocol.Command> first = store(settings);
    for (int i = 1; i <= 7; i++) {
      hint(first, put("k" + i, i));
    }
    testKit.createTestProbe().awaitAssert(() -> {
      assertTrue(snapshotFiles("hints-" + nodeId) > 0, "no snapshot written yet");
      return null;
    });
    testKit.stop(first);
    ActorRef<ReplicaProtocol.Command> second = store(settings);
    assertEquals(Map.of(TARGET, 7), stats(second).targets());
  }

  /**
   * The hint floor never rises above a pending hint, and once answered, a hinted write older than it
   * is refused with an error (the coordinator sees a failed fallback), never stored or dropped silently.
   */
  @Test
  void hintFloor_heldDownByThePendingHint_andOlderHintsRefusedAfterwards() {
    ActorRef<ReplicaProtocol.Command> store = store(settings(NEVER, 10, NEVER));
    assertTrue(hint(store, put("a", 5)).ok());
    assertTrue(hint(store, put("old", 3)).ok(), "no floor answered yet: any age is accepted");
    assertEquals(new HintProtocol.HintFloor(nodeId, 3), floor(store));

    WriteAck refused = hint(store, put("older", 2));
    assertTrue(!refused.ok() && refused.error().contains("hint floor"), refused.toString());
    assertTrue(hint(store, put("c", 4)).ok());
    assertEquals(3, stats(store).count());
    assertEquals(new HintProtocol.HintFloor(nodeId, 3), floor(store));
  }

  private static HintProtocol.HintFloor floor(ActorRef<ReplicaProtocol.Command> store) {
    TestProbe<HintProtocol.HintFloor> probe = testKit.createTestProbe();
    store.tell(new HintProtocol.GetHintFloor(probe.ref()));
    return probe.receiveMessage();
  }

  private static long snapshotFiles(String persistenceId) throws IOException {
    try (Stream<Path> files = Files.list(snapshots)) {
      return files.filter(file -> file.getFileName().toString().contains(persistenceId)).count();
    }
  }

  private ActorRef<ReplicaProtocol.Command> store(HintStore.Settings settings) {
    return testKit.spawn(HintStore.create(nodeId, peers, settings));
  }

  private static HintStore.Settings settings(Duration interval, int batch, Duration timeout) {
    return settings(interval, batch, timeout, timeout);
  }

  private static HintStore.Settings settings(
      Duration interval, int batch, Duration timeout, Duration probeTimeout) {
    return new HintStore.Settings(
        interval, batch, timeout, probeTimeout, new WriteBatcher.Limits(64, 1_000, Duration.ofSeconds(5)),
        1_000, Duration.ofHours(1));
  }

  private static WriteAck hint(ActorRef<ReplicaProtocol.Command> store, Record record) {
    TestProbe<WriteAck> probe = testKit.createTestProbe();
    store.tell(new HintedWrite(PARTITION, record, TARGET, probe.ref()));
    return probe.receiveMessage();
  }

  private static Stats stats(ActorRef<ReplicaProtocol.Command> store) {
    TestProbe<Stats> probe = testKit.createTestProbe();
    store.tell(new GetStats(probe.ref()));
    return probe.receiveMessage();
  }

  private static void awaitStats(
      ActorRef<ReplicaProtocol.Command> store, java.util.function.Consumer<Stats> check) {
    testKit.createTestProbe().awaitAssert(() -> {
      check.accept(stats(store));
      return null;
    });
  }

  private static Record put(String key, long timestamp) {
    return Record.put(key, (key + timestamp).getBytes(StandardCharsets.UTF_8),
        new Version(timestamp, "n1"));
  }
}
