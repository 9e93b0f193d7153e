package io.minidynamo.antientropy;

import io.minidynamo.InMemoryPersistence;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.minidynamo.config.NodeSettings;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.ReplicaProtocol.GetTree;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.TreeCopy;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.replica.CommittedReads;
import io.minidynamo.replica.ReplicaRouter;
import io.minidynamo.storage.RecoveryStats;
import io.minidynamo.versioning.HybridClock;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One anti-entropy exchange between two real replica routers, "a" (local) and "b" (remote). Both
 * partition actors have the persistence id {@code replica-<partition>}, so each router runs in an
 * actor system of its own with its own in-memory journal; local actor refs work across systems in
 * one JVM. Each test uses partitions of its own, as the journals live as long as the systems.
 */
class AntiEntropyExchangeTest {
  private static final Version V1 = new Version(1_000, "a");
  private static final Version V2 = new Version(2_000, "b");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir static Path snapshots;

  private static ActorTestKit kitA;
  private static ActorTestKit kitB;

  @BeforeAll
  static void start() {
    kitA = ActorTestKit.create("ae-a", InMemoryPersistence.config(snapshots.resolve("a")));
    kitB = ActorTestKit.create("ae-b", InMemoryPersistence.config(snapshots.resolve("b")));
  }

  @AfterAll
  static void stop() {
    kitA.shutdownTestKit();
    kitB.shutdownTestKit();
  }

  @Test
  void exchange_emptyReplicas_areInSyncAfterOneComparison() {
    Pair pair = pair(1);
    assertEquals(new AntiEntropyExchange.Result(1, "b", true, 1, 0, 0, null), exchange(pair, 100));
  }

  @Test
  void exchange_sameRecordsOnBothSides_areInSyncAfterOneComparison() {
    Pair pair = pair(2);
    for (int i = 0; i < 50; i++) {
      Record record = put("key-" + i, "v" + i, i % 2 == 0 ? V1 : V2);
      write(pair.a, 2, record);
      write(pair.b, 2, record);
    }
    assertEquals(new AntiEntropyExchange.Result(2, "b", true, 1, 0, 0, null), exchange(pair, 100));
  }

  @Test
  void exchange_recordsOnlyOnOneSide_arePushedAndPulledUntilBothConverge() {
    Pair pair = pair(3);
    List<Record> onA = List.of(put("a1", "x", V1), put("a2", "x", V2), put("a3", "x", V1));
    List<Record> onB = List.of(put("b1", "y", V1), put("b2", "y", V2));
    Record shared = put("shared", "z", V1);
    onA.forEach(record -> write(pair.a, 3, record));
    onB.forEach(record -> write(pair.b, 3, record));
    write(pair.a, 3, shared);
    write(pair.b, 3, shared);

    AntiEntropyExchange.Result result = exchange(pair, 100);
    assertNull(result.error());
    assertEquals(3, result.pushed());
    assertEquals(2, result.pulled());
    assertFalse(result.inSync());
    assertTrue(result.hashesCompared() > 1);

    for (Record record : concat(onA, onB, List.of(shared))) {
      assertEquals(record, read(pair.a, 3, record.key()), "a: " + record.key());
      assertEquals(record, read(pair.b, 3, record.key()), "b: " + record.key());
    }
    assertEquals(root(pair.a, 3), root(pair.b, 3));
    assertEquals(new AntiEntropyExchange.Result(3, "b", true, 1, 0, 0, null), exchange(pair, 100));
  }

  @Test
  void exchange_newerVersionsOnEitherSide_winOnBoth() {
    Pair pair = pair(4);
    Record aOld = put("x", "a-old", V1);
    Record aNew = put("x", "a-new", V2);
    Record bOld = put("y", "b-old", V1);
    Record bNew = put("y", "b-new", V2);
    write(pair.a, 4, aNew);
    write(pair.b, 4, aOld);
    write(pair.a, 4, bOld);
    write(pair.b, 4, bNew);

    AntiEntropyExchange.Result result = exchange(pair, 100);
    assertEquals(1, result.pushed());
    assertEquals(1, result.pulled());
    assertEquals(aNew, read(pair.b, 4, "x"));
    assertEquals(bNew, read(pair.a, 4, "y"));
    assertEquals(root(pair.a, 4), root(pair.b, 4));
  }

  @Test
  void exchange_tombstones_propagateBothWays() {
    Pair pair = pair(5);
    Record deletedOnA = Record.tombstone("gone-on-a", V2);
    Record deletedOnB = Record.tombstone("gone-on-b", V2);
    Record onlyTombstone = Record.tombstone("never-seen-by-b", V1);
    write(pair.a, 5, put("gone-on-a", "v", V1));
    write(pair.b, 5, put("gone-on-a", "v", V1));
    write(pair.a, 5, put("gone-on-b", "v", V1));
    write(pair.b, 5, put("gone-on-b", "v", V1));
    write(pair.a, 5, deletedOnA);
    write(pair.b, 5, deletedOnB);
    write(pair.a, 5, onlyTombstone);

    AntiEntropyExchange.Result result = exchange(pair, 100);
    assertNull(result.error());
    assertEquals(2, result.pushed());
    assertEquals(1, result.pulled());
    for (Record tombstone : List.of(deletedOnA, deletedOnB, onlyTombstone)) {
      assertEquals(tombstone, read(pair.a, 5, tombstone.key()));
      assertEquals(tombstone, read(pair.b, 5, tombstone.key()));
    }
  }

  @Test
  void exchange_maxKeys_boundsTheKeysRepairedPerExchange() {
    Pair pair = pair(6);
    for (int i = 0; i < 10; i++) {
      write(pair.a, 6, put("key-" + i, "v", V1));
    }
    for (int expected : new int[] {4, 4, 2}) {
      AntiEntropyExchange.Result result = exchange(pair, 4);
      assertNull(result.error());
      assertEquals(expected, result.pushed());
      assertEquals(0, result.pulled());
    }
    for (int i = 0; i < 10; i++) {
      assertEquals(put("key-" + i, "v", V1), read(pair.b, 6, "key-" + i));
    }
    assertTrue(exchange(pair, 4).inSync());
  }

  @Test
  void exchange_partitionNotHeldByThePeer_reportsAnError() {
    ActorRef<ReplicaProtocol.Command> a = router(kitA, "a", 7);
    ActorRef<ReplicaProtocol.Command> b = router(kitB, "b", 8);
    AntiEntropyExchange.Result result = exchange(new Pair(a, b), 7, 100);
    assertNotNull(result.error());
    assertTrue(result.error().contains("not replicated by b"), result.error());
    assertFalse(result.inSync());
  }

  @Test
  void exchange_partitionNotHeldHere_reportsAnError() {
    ActorRef<ReplicaProtocol.Command> a = router(kitA, "a", 9);
    ActorRef<ReplicaProtocol.Command> b = router(kitB, "b", 10);
    AntiEntropyExchange.Result result = exchange(new Pair(a, b), 10, 100);
    assertEquals("partition 10 is not held here", result.error());
  }

  /**
   * Purge end to end between two replicas: a tombstone is purged only once the exchange taught the
   * purging side that the peer holds it, and once both sides know, a side that purged first is not
   * handed the tombstone back by the other.
   */
  @Test
  void purge_onceBothKnowTheOtherHoldsIt_goneFromBoth_andNotCopiedBack() {
    Pair pair = pair(30);
    Record tombstone = Record.tombstone("doomed", V2);
    write(pair.a, 30, put("doomed", "old", V1));
    write(pair.b, 30, put("doomed", "old", V1));
    write(pair.a, 30, tombstone);
    write(pair.a, 30, put("alive", "x", V1));
    write(pair.b, 30, put("alive", "x", V1));

    assertEquals(new ReplicaProtocol.Purged(30, 0, 1, null), purge(pair.a, 30, Long.MAX_VALUE),
        "b never seen holding it");
    assertEquals(1, exchange(pair, 100).pushed()); // the tombstone reaches b
    assertEquals(0, purge(pair.a, 30, Long.MAX_VALUE).purged(), "learned only by the next exchange");
    assertTrue(exchange(pair, 100).inSync());
    assertTrue(exchangeFromB(pair, 30).inSync()); // b learns that a holds it too

    assertEquals(new ReplicaProtocol.Purged(30, 0, 1, null), purge(pair.a, 30, V2.timestamp()),
        "the cutoff is not above the tombstone's timestamp");
    assertEquals(new ReplicaProtocol.Purged(30, 1, 0, null), purge(pair.a, 30, Long.MAX_VALUE));
    assertNull(read(pair.a, 30, "doomed"));
    assertEquals(tombstone, read(pair.b, 30, "doomed"));

    // b still holds it, settled: exchanges in either direction copy nothing back to a
    AntiEntropyExchange.Result fromA = exchange(pair, 100);
    assertEquals(0, fromA.pushed() + fromA.pulled(), fromA.toString());
    AntiEntropyExchange.Result fromB = exchangeFromB(pair, 30);
    assertEquals(0, fromB.pushed() + fromB.pulled(), fromB.toString());
    assertNull(read(pair.a, 30, "doomed"));

    assertEquals(new ReplicaProtocol.Purged(30, 1, 0, null), purge(pair.b, 30, Long.MAX_VALUE));
    assertNull(read(pair.b, 30, "doomed"));
    assertEquals(root(pair.a, 30), root(pair.b, 30));
    assertEquals(put("alive", "x", V1), read(pair.a, 30, "alive"));
  }

  /** A tombstone whose peer still holds the old value is never purged, whatever the cutoff. */
  @Test
  void purge_peerHoldsTheOldValue_notPurged() {
    Pair pair = pair(31);
    write(pair.a, 31, Record.tombstone("k", V2));
    write(pair.b, 31, put("k", "old", V1));
    AntiEntropyExchange.Result limited = exchange(pair, 0); // compares, repairs nothing
    assertEquals(0, limited.pushed());
    assertEquals(new ReplicaProtocol.Purged(31, 0, 1, null), purge(pair.a, 31, Long.MAX_VALUE));
    assertEquals(Record.tombstone("k", V2), read(pair.a, 31, "k"));
  }

  private static ReplicaProtocol.Purged purge(
      ActorRef<ReplicaProtocol.Command> router, int partition, long cutoff) {
    TestProbe<ReplicaProtocol.Purged> probe = kitA.createTestProbe();
    router.tell(new ReplicaProtocol.PurgeTombstones(partition, cutoff, 100, probe.ref()));
    return probe.receiveMessage();
  }

  /** An exchange run by b with a as its peer. */
  private static AntiEntropyExchange.Result exchangeFromB(Pair pair, int partition) {
    TestProbe<AntiEntropyExchange.Result> report = kitB.createTestProbe();
    kitB.spawn(AntiEntropyExchange.create(partition, "a", pair.b, pair.a,
        new AntiEntropyExchange.Settings(3, 100, TIMEOUT), report.ref()));
    return report.receiveMessage(TIMEOUT.plusSeconds(2));
  }

  private record Pair(ActorRef<ReplicaProtocol.Command> a, ActorRef<ReplicaProtocol.Command> b) {}

  private static Pair pair(int partition) {
    return new Pair(router(kitA, "a", partition), router(kitB, "b", partition));
  }

  private static ActorRef<ReplicaProtocol.Command> router(
      ActorTestKit kit, String node, int partition) {
    NodeSettings settings = NodeSettings.fromConfig(ConfigFactory.defaultReference());
    return kit.spawn(ReplicaRouter.create(node, Map.of(partition, List.of(node.equals("a") ? "b" : "a")),
        new HybridClock(() -> 0L),
        settings, new RecoveryStats(1, () -> 0L), new CommittedReads(List.of(partition))),
        "replica-" + node + "-" + partition);
  }

  private static AntiEntropyExchange.Result exchange(Pair pair, int maxKeys) {
    int partition = partitionOf(pair.a);
    return exchange(pair, partition, maxKeys);
  }

  private static AntiEntropyExchange.Result exchange(Pair pair, int partition, int maxKeys) {
    TestProbe<AntiEntropyExchange.Result> report = kitA.createTestProbe();
    kitA.spawn(AntiEntropyExchange.create(partition, "b", pair.a, pair.b,
        new AntiEntropyExchange.Settings(3, maxKeys, TIMEOUT), report.ref()));
    return report.receiveMessage(TIMEOUT.plusSeconds(2));
  }

  /** The routers are named after the one partition they hold. */
  private static int partitionOf(ActorRef<ReplicaProtocol.Command> router) {
    String name = router.path().name();
    return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
  }

  private static void write(ActorRef<ReplicaProtocol.Command> router, int partition, Record record) {
    TestProbe<WriteAck> probe = kitA.createTestProbe();
    router.tell(new Write(partition, record, probe.ref()));
    assertTrue(probe.receiveMessage().ok());
  }

  private static Record read(ActorRef<ReplicaProtocol.Command> router, int partition, String key) {
    TestProbe<ReadReply> probe = kitA.createTestProbe();
    router.tell(new Read(partition, key, probe.ref()));
    return probe.receiveMessage().record();
  }

  private static long root(ActorRef<ReplicaProtocol.Command> router, int partition) {
    TestProbe<TreeCopy> probe = kitA.createTestProbe();
    router.tell(new GetTree(partition, probe.ref()));
    return probe.receiveMessage().tree().root();
  }

  @SafeVarargs
  private static List<Record> concat(List<Record>... lists) {
    return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
  }

  private static Record put(String key, String value, Version version) {
    return Record.put(key, value.getBytes(StandardCharsets.UTF_8), version);
  }
}
