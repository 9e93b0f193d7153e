package io.minidynamo.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.minidynamo.config.NodeSettings;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
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
    Config config = ConfigFactory.parseString("""
            pekko.actor.provider = local
            pekko.actor.serialization-bindings {
              "io.minidynamo.CborSerializable" = jackson-cbor
            }
            pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
            pekko.persistence.journal.inmem.test-serialization = on
            pekko.persistence.snapshot-store.plugin = "pekko.persistence.snapshot-store.local"
            """)
        .withValue("pekko.persistence.snapshot-store.local.dir",
            ConfigValueFactory.fromAnyRef(snapshots.toString()))
        .withFallback(ConfigFactory.defaultReference());
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
    assertEquals(new ReadReply(NODE, "k", record, null), read(router, 2, "k"));
  }

  @Test
  void read_unknownKey_returnsNoRecord() {
    ActorRef<ReplicaProtocol.Command> router = router(List.of(3), settings(512, 10_000, 10_000));
    assertEquals(new ReadReply(NODE, "missing", null, null), read(router, 3, "missing"));
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
        assertEquals("replica overloaded", ack.error());
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

  private static ActorRef<ReplicaProtocol.Command> router(List<Integer> held, NodeSettings settings) {
    return testKit.spawn(ReplicaRouter.create(NODE, held, new HybridClock(() -> 0L), settings));
  }

  private static NodeSettings settings(int maxBatch, int maxPending, int snapshotEvery) {
    return new NodeSettings(
        Duration.ofSeconds(2),
        Duration.ofSeconds(10),
        1024,
        1024 * 1024,
        NodeSettings.Durability.FSYNC,
        maxBatch,
        maxPending,
        snapshotEvery,
        Duration.ZERO);
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
