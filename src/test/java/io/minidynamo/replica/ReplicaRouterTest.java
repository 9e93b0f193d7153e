package io.minidynamo.replica;

import io.minidynamo.InMemoryPersistence;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.minidynamo.antientropy.LeafReconciliation;
import io.minidynamo.antientropy.MerkleTree;
import io.minidynamo.config.NodeSettings;
import io.minidynamo.replica.ReplicaProtocol.GetLeafEntries;
import io.minidynamo.replica.ReplicaProtocol.GetRecords;
import io.minidynamo.replica.ReplicaProtocol.GetTree;
import io.minidynamo.replica.ReplicaProtocol.GetTreeHashes;
import io.minidynamo.replica.ReplicaProtocol.LeafEntries;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.Records;
import io.minidynamo.replica.ReplicaProtocol.TreeCopy;
import io.minidynamo.replica.ReplicaProtocol.TreeHashes;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.storage.PartitionState;
import io.minidynamo.storage.RecoveryStats;
import io.minidynamo.versioning.HybridClock;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica entry point with real partition actors on Pekko's in-memory journal (with event
 * serialization on, so every event goes through jackson-cbor) and the local snapshot store.
 *
 * <p>The journal lives as long as the test system, and a partition's persistence id is
 * {@code replica-<partition>}: each test uses partitions of its own so tests stay independent.
 */
class ReplicaRouterTest {
  private static final String NODE = "n1";
  private static final Version V1 = new Version(1_000, "n1");
  private static final Version V2 = new Version(2_000, "n1");

  @TempDir static Path snapshots;

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    Config config = InMemoryPersistence.config(snapshots);
    testKit = ActorTestKit.create("replica", config);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void write_thenRead_returnsTheRecord() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(1, 2), settings(512, 10_000, 10_000));
    Record record = put("k", new byte[] {0, (byte) 0xff, 7}, V1);
    assertEquals(WriteAck.ok(NODE, "k"), write(router, 2, record));
    assertEquals(new ReadReply(NODE, "k", 0, record, null), read(router, 2, "k"));
  }

  @Test
  void write_acknowledged_isInTheDurableRecordsThisNodesCoordinatorReads() {
    CommittedReads committed = new CommittedReads(List.of(40));
    ActorRef<ReplicaProtocol.Command> router = testKit.spawn(ReplicaRouter.create(NODE,
        withPeers(List.of(40)), clock(), settings(512, 10_000, 10_000), new RecoveryStats(1, () -> 0L),
        committed));
    Record record = put("k", bytes("v"), V1);
    assertEquals(WriteAck.ok(NODE, "k"), write(router, 40, record));
    assertEquals(new CommittedReads.Committed(record), committed.read(40, "k"));
    assertEquals(new CommittedReads.Committed(null), committed.read(40, "other"));
  }

  @Test
  void read_unknownKey_returnsNoRecord() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(3), settings(512, 10_000, 10_000));
    assertEquals(new ReadReply(NODE, "missing", 0, null, null), read(router, 3, "missing"));
  }

  @Test
  void write_olderVersion_isAcknowledgedButDoesNotReplaceTheNewer() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(4), settings(512, 10_000, 10_000));
    Record newer = put("k", bytes("new"), V2);
    Record older = put("k", bytes("old"), V1);
    assertEquals(WriteAck.ok(NODE, "k"), write(router, 4, newer));
    assertEquals(WriteAck.ok(NODE, "k"), write(router, 4, older));
    assertEquals(newer, read(router, 4, "k").record());
  }

  @Test
  void write_partitionNotHeld_answersAnError() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(5), settings(512, 10_000, 10_000));
    WriteAck ack = write(router, 99, put("k", bytes("v"), V1));
    assertEquals(NODE, ack.node());
    assertEquals("partition 99 is not replicated by n1", ack.error());
  }

  @Test
  void read_partitionNotHeld_answersAnError() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(6), settings(512, 10_000, 10_000));
    ReadReply reply = read(router, 98, "k");
    assertEquals("partition 98 is not replicated by n1", reply.error());
    assertNull(reply.record());
  }

  @Test
  void write_tombstoneAfterPut_readsBackAsTombstone() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(7), settings(512, 10_000, 10_000));
    write(router, 7, put("k", bytes("v"), V1));
    Record tombstone = Record.tombstone("k", V2);
    assertEquals(WriteAck.ok(NODE, "k"), write(router, 7, tombstone));
    assertEquals(tombstone, read(router, 7, "k").record());
  }

  @Test
  void write_manyConcurrentWritesToOnePartition_areAllAcknowledgedAndReadable() {
    // More writes than one batch holds: the front must carry them over several journal writes.
    ActorRef<ReplicaProtocol.Command> router = router(List.of(8), settings(64, 10_000, 10_000));
    TestProbe<WriteAck> acks = testKit.createTestProbe();
    int count = 1_000;
    for (int i = 0; i < count; i++) {
      router.tell(new Write(8, put("key-" + i, bytes("v" + i), V1), acks.ref()));
    }
    List<WriteAck> received = acks.receiveSeveralMessages(count, Duration.ofSeconds(20));
    Map<String, Integer> perKey = new HashMap<>();
    for (WriteAck ack : received) {
      assertTrue(ack.ok(), ack.toString());
      perKey.merge(ack.key(), 1, Integer::sum);
    }
    assertEquals(count, perKey.size());
    acks.expectNoMessage(Duration.ofMillis(100));
    for (int i = 0; i < count; i++) {
      assertEquals(put("key-" + i, bytes("v" + i), V1), read(router, 8, "key-" + i).record());
    }
  }

  @Test
  void write_concurrentVersionsOfOneKeyInAnyOrder_keepsTheNewest() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(9), settings(16, 10_000, 10_000));
    List<Record> versions = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      versions.add(put("hot", bytes("v" + i), new Version(i, "n" + (i % 3))));
    }
    Record newest = versions.get(versions.size() - 1);
    Collections.shuffle(versions, new Random(7));
    TestProbe<WriteAck> acks = testKit.createTestProbe();
    for (Record record : versions) {
      router.tell(new Write(9, record, acks.ref()));
    }
    for (WriteAck ack : acks.receiveSeveralMessages(versions.size(), Duration.ofSeconds(20))) {
      assertTrue(ack.ok(), ack.toString());
    }
    assertEquals(newest, read(router, 9, "hot").record());
  }

  @Test
  void write_beyondMaxPending_everyWriteIsStillAnswered() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(10), settings(4, 2, 10_000));
    TestProbe<WriteAck> acks = testKit.createTestProbe();
    int count = 100;
    for (int i = 0; i < count; i++) {
      router.tell(new Write(10, put("key-" + i, bytes("v"), V1), acks.ref()));
    }
    List<WriteAck> received = acks.receiveSeveralMessages(count, Duration.ofSeconds(20));
    acks.expectNoMessage(Duration.ofMillis(100));
    for (WriteAck ack : received) {
      if (ack.ok()) {
        assertEquals(put(ack.key(), bytes("v"), V1), read(router, 10, ack.key()).record());
      } else {
        // the shared WriteBatcher words it "overloaded: <n> writes queued" (was "replica overloaded")
        assertTrue(ack.error().startsWith("overloaded"), ack.error());
        assertNull(read(router, 10, ack.key()).record());
      }
    }
  }

  @Test
  void restart_afterSnapshotsAndEvents_recoversEveryRecord() throws IOException {
    NodeSettings settings = settings(512, 10_000, 5);
    ActorRef<ReplicaProtocol.Command> first = router(List.of(11), settings);
    Map<String, Record> expected = new HashMap<>(); // the last write per key wins: V2 > V1
    for (int i = 0; i < 12; i++) {
      Record record = i % 4 == 3
          ? Record.tombstone("key-" + (i - 1), V2)
          : put("key-" + i, new byte[] {(byte) i, (byte) 0xfe}, V1);
      assertTrue(write(first, 11, record).ok());
      expected.put(record.key(), record);
    }
    testKit.createTestProbe().awaitAssert(() -> {
      assertTrue(snapshotFiles("replica-11") > 0, "no snapshot written yet");
      return null;
    });
    testKit.stop(first);

    ActorRef<ReplicaProtocol.Command> second = router(List.of(11), settings);
    assertEquals(9, expected.size());
    for (Record record : expected.values()) {
      assertEquals(record, read(second, 11, record.key()).record(), record.key());
    }
  }

  @Test
  void snapshotBytes_reached_snapshotsBeforeTheEventCount() throws Exception {
    NodeSettings settings = NodeSettings.fromConfig(ConfigFactory.parseMap(Map.of(
            "mini-dynamo.replica.snapshot-every", 10_000,
            "mini-dynamo.replica.snapshot-bytes", 1_000))
        .withFallback(ConfigFactory.defaultReference()));
    ActorRef<ReplicaProtocol.Command> first = router(List.of(30), settings);
    for (int i = 0; i < 12; i++) { // 12 x ~105 bytes: over 1,000 bytes once
      assertTrue(write(first, 30, put("big-" + i, new byte[100], V1)).ok());
    }
    TestProbe<Object> poll = testKit.createTestProbe();
    poll.awaitAssert(Duration.ofSeconds(10), () -> {
      try (var files = Files.list(snapshots)) {
        assertTrue(files.anyMatch(file -> file.getFileName().toString().contains("replica-30")),
            "no snapshot of partition 30 although 1,000 bytes were written");
      }
      return null;
    });
    testKit.stop(first);
    RecoveryStats stats = new RecoveryStats(1, () -> 0L);
    ActorRef<ReplicaProtocol.Command> second =
        testKit.spawn(ReplicaRouter.create(NODE, withPeers(List.of(30)), clock(), settings, stats,
            new CommittedReads(List.of(30))));
    read(second, 30, "big-0");
    assertEquals(12, stats.snapshot().records());
    assertTrue(stats.snapshot().eventsReplayed() < 12,
        "replayed " + stats.snapshot().eventsReplayed() + " of 12 events despite the snapshot");
  }

  @Test
  void restart_recoveryStats_countThePartitionsRecordsAndReplayedEvents() {
    NodeSettings settings = settings(512, 10_000, 10_000); // no snapshot: every event is replayed
    ActorRef<ReplicaProtocol.Command> first = router(List.of(20, 21), settings);
    for (int i = 0; i < 5; i++) {
      assertTrue(write(first, 20, put("key-" + i, bytes("v"), V1)).ok());
    }
    assertTrue(write(first, 20, put("key-0", bytes("newer"), V2)).ok()); // a sixth event, same key
    assertTrue(write(first, 21, put("other", bytes("v"), V1)).ok());
    testKit.stop(first);

    // partitions 20 and 21 have history, 22 has none
    RecoveryStats stats = new RecoveryStats(3, () -> 0L);
    ActorRef<ReplicaProtocol.Command> second =
        testKit.spawn(ReplicaRouter.create(NODE, withPeers(List.of(20, 21, 22)), clock(), settings, stats,
            new CommittedReads(List.of(20, 21, 22))));
    read(second, 20, "key-0");
    read(second, 21, "other");
    read(second, 22, "none"); // each partition answers only once it has recovered
    assertEquals(new RecoveryStats.Snapshot(3, 3, 6, 7, 0), stats.snapshot());
  }

  @Test
  void getTree_afterWrites_equalsTheTreeOfTheSameRecords() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(23), settings(512, 10_000, 10_000));
    PartitionState expected = new PartitionState();
    for (Record record : sampleRecords()) {
      assertTrue(write(router, 23, record).ok());
      expected.apply(record);
    }
    MerkleTree tree = tree(router, 23);
    assertNotNull(tree);
    assertEquals(expected.tree().root(), tree.root());
    assertEquals(expected.size(), tree.entryCount());
    assertTrue(tree.root() != 0);
  }

  @Test
  void getTreeHashes_answersTheHashesOfTheLiveTree() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(24), settings(512, 10_000, 10_000));
    sampleRecords().forEach(record -> assertTrue(write(router, 24, record).ok()));
    MerkleTree tree = tree(router, 24);
    int depth = PartitionState.TREE_DEPTH;

    assertEquals(new TreeHashes(NODE, 24, List.of(tree.root()), null),
        treeHashes(router, 24, depth, 0, List.of(0)));
    assertEquals(new TreeHashes(NODE, 24, List.of(tree.hash(2, 3), tree.hash(2, 0)), null),
        treeHashes(router, 24, depth, 2, List.of(3, 0)));
    int leaf = tree.leafOf("a");
    assertEquals(List.of(tree.hash(depth, leaf)),
        treeHashes(router, 24, depth, depth, List.of(leaf)).hashes());
  }

  @Test
  void getTreeHashes_otherDepthOrNodeOutsideTheLevel_answersAnError() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(25), settings(512, 10_000, 10_000));
    int depth = PartitionState.TREE_DEPTH;
    TreeHashes wrongDepth = treeHashes(router, 25, depth + 1, 0, List.of(0));
    assertNotNull(wrongDepth.error());
    assertEquals(List.of(), wrongDepth.hashes());
    assertNotNull(treeHashes(router, 25, depth, depth + 1, List.of(0)).error());
    assertNotNull(treeHashes(router, 25, depth, 1, List.of(2)).error());
    assertNotNull(treeHashes(router, 25, depth, 1, List.of(-1)).error());
  }

  @Test
  void getLeafEntries_answersTheEntriesOfExactlyTheAskedLeaves() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(26), settings(512, 10_000, 10_000));
    PartitionState expected = new PartitionState();
    for (Record record : sampleRecords()) {
      assertTrue(write(router, 26, record).ok());
      expected.apply(record);
    }
    MerkleTree tree = tree(router, 26);
    Set<Integer> leaves = Set.of(tree.leafOf("a"), tree.leafOf("gone"));
    LeafEntries entries = leafEntries(router, 26, List.copyOf(leaves));
    assertEquals(NODE, entries.node());
    assertNull(entries.error());
    assertEquals(Set.copyOf(expected.entriesInLeaves(leaves)), Set.copyOf(entries.entries()));
    assertTrue(entries.entries().contains(new LeafReconciliation.Entry("a", 2_000, "n1", false)));
    assertTrue(entries.entries().contains(new LeafReconciliation.Entry("gone", 2_000, "n1", true)));
    for (LeafReconciliation.Entry entry : entries.entries()) {
      assertTrue(leaves.contains(tree.leafOf(entry.key())), entry.key());
    }
  }

  @Test
  void getRecords_answersTheStoredRecordsTombstonesIncludedAndLeavesOutMissingKeys() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(27), settings(512, 10_000, 10_000));
    sampleRecords().forEach(record -> assertTrue(write(router, 27, record).ok()));
    TestProbe<Records> probe = testKit.createTestProbe();
    router.tell(new GetRecords(27, List.of("a", "missing", "gone"), probe.ref()));
    Records records = probe.receiveMessage();
    assertEquals(new Records(NODE, 27,
        List.of(put("a", bytes("a2"), V2), Record.tombstone("gone", V2)), null), records);
  }

  @Test
  void partitionCommands_partitionNotHeld_answerTheirErrorVariant() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(28), settings(512, 10_000, 10_000));
    String error = "partition 97 is not replicated by n1";
    assertEquals(new TreeHashes(NODE, 97, List.of(), error),
        treeHashes(router, 97, PartitionState.TREE_DEPTH, 0, List.of(0)));
    assertEquals(new LeafEntries(NODE, 97, List.of(), error), leafEntries(router, 97, List.of(0)));
    TestProbe<Records> records = testKit.createTestProbe();
    router.tell(new GetRecords(97, List.of("k"), records.ref()));
    assertEquals(new Records(NODE, 97, List.of(), error), records.receiveMessage());
    assertNull(tree(router, 97));
  }

  /** Puts, an overwrite and a tombstone over a few keys. */
  private static List<Record> sampleRecords() {
    List<Record> records = new ArrayList<>();
    records.add(put("a", bytes("a1"), V1));
    records.add(put("a", bytes("a2"), V2));
    records.add(put("gone", bytes("x"), V1));
    records.add(Record.tombstone("gone", V2));
    for (int i = 0; i < 20; i++) {
      records.add(put("key-" + i, bytes("v" + i), V1));
    }
    return records;
  }

  private static MerkleTree tree(ActorRef<ReplicaProtocol.Command> router, int partition) {
    TestProbe<TreeCopy> probe = testKit.createTestProbe();
    router.tell(new GetTree(partition, probe.ref()));
    return probe.receiveMessage().tree();
  }

  private static TreeHashes treeHashes(
      ActorRef<ReplicaProtocol.Command> router, int partition, int depth, int level,
      List<Integer> indexes) {
    TestProbe<TreeHashes> probe = testKit.createTestProbe();
    router.tell(new GetTreeHashes(partition, depth, level, indexes, probe.ref()));
    return probe.receiveMessage();
  }

  private static LeafEntries leafEntries(
      ActorRef<ReplicaProtocol.Command> router, int partition, List<Integer> leaves) {
    TestProbe<LeafEntries> probe = testKit.createTestProbe();
    router.tell(new GetLeafEntries(partition, leaves, probe.ref()));
    return probe.receiveMessage();
  }

  private static ActorRef<ReplicaProtocol.Command> router(List<Integer> held, NodeSettings settings) {
    return testKit.spawn(ReplicaRouter.create(
        NODE, withPeers(held), clock(), settings, new RecoveryStats(held.size(), () -> 0L),
        new CommittedReads(held)));
  }

  /** Each partition replicated here and on two other nodes. */
  private static Map<Integer, List<String>> withPeers(List<Integer> held) {
    Map<Integer, List<String>> partitions = new java.util.TreeMap<>();
    held.forEach(partition -> partitions.put(partition, List.of("peer-1", "peer-2")));
    return partitions;
  }

  private static HybridClock clock() {
    return new HybridClock(() -> 0L);
  }

  /** reference.conf with the replica limits of a test. */
  private static NodeSettings settings(int maxBatch, int maxPending, int snapshotEvery) {
    return NodeSettings.fromConfig(ConfigFactory.parseMap(Map.of(
            "mini-dynamo.replica.max-write-batch", maxBatch,
            "mini-dynamo.replica.max-pending-writes", maxPending,
            "mini-dynamo.replica.snapshot-every", snapshotEvery))
        .withFallback(ConfigFactory.defaultReference()));
  }

  private static WriteAck write(ActorRef<ReplicaProtocol.Command> router, int partition, Record record) {
    TestProbe<WriteAck> probe = testKit.createTestProbe();
    router.tell(new Write(partition, record, probe.ref()));
    return probe.receiveMessage();
  }

  private static ReadReply read(ActorRef<ReplicaProtocol.Command> router, int partition, String key) {
    TestProbe<ReadReply> probe = testKit.createTestProbe();
    router.tell(new Read(partition, key, probe.ref()));
    return probe.receiveMessage();
  }

  private static long snapshotFiles(String persistenceId) throws IOException {
    try (Stream<Path> files = Files.list(snapshots)) {
      return files.filter(file -> file.getFileName().toString().contains(persistenceId)).count();
    }
  }

  private static Record put(String key, byte[] value, Version version) {
    return Record.put(key, value, version);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
