package io.minidynamo.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.minidynamo.InMemoryPersistence;
import io.minidynamo.config.NodeSettings;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.storage.RecoveryStats;
import io.minidynamo.versioning.HybridClock;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal write that fails restarts the partition's log, which recovers from the journal: the
 * batch that failed is answered with an error and is not in the recovered state. Pekko hands the
 * restarted log the same "empty" state object it started with; were that object the live state,
 * the journal would be replayed on top of the failed batch and reads would return its records.
 */
class PartitionJournalFailureTest {
  private static final int PARTITION = 1;

  @TempDir static Path snapshots;

  private static ActorTestKit testKit;
  private static PersistenceTestKit journal;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("journal-failure", InMemoryPersistence.withFailableJournal(snapshots));
    journal = PersistenceTestKit.create(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void failedWrite_answeredWithAnError_isNotReadOnceTheLogRecovered() {
    CommittedReads committed = new CommittedReads(List.of(PARTITION));
    ActorRef<ReplicaProtocol.Command> router = testKit.spawn(ReplicaRouter.create("n1",
        Map.of(PARTITION, List.of("n2", "n3")), new HybridClock(() -> 0L),
        NodeSettings.fromConfig(ConfigFactory.defaultReference()), new RecoveryStats(1, () -> 0L),
        committed));
    Record durable = put("durable", 1_000);
    Record failed = put("failed", 2_000);
    assertTrue(write(router, durable).ok());

    journal.failNextPersisted();
    // answered once the restarted log has recovered (WriteBatcher fails the batch it held then)
    WriteAck refused = write(router, failed);
    assertEquals("journal write failed", refused.error());

    assertEquals(durable, read(router).record());
    assertEquals(new CommittedReads.Committed(durable), committed.read(PARTITION, "k"));
    Record later = put("later", 3_000);
    assertTrue(write(router, later).ok());
    assertEquals(later, read(router).record());
  }

  private static Record put(String value, long timestamp) {
    return Record.put("k", value.getBytes(StandardCharsets.UTF_8), new Version(timestamp, "n1"));
  }

  private static WriteAck write(ActorRef<ReplicaProtocol.Command> router, Record record) {
    TestProbe<WriteAck> probe = testKit.createTestProbe();
    router.tell(new Write(PARTITION, record, probe.ref()));
    return probe.receiveMessage(java.time.Duration.ofSeconds(10));
  }

  private static ReadReply read(ActorRef<ReplicaProtocol.Command> router) {
    TestProbe<ReadReply> probe = testKit.createTestProbe();
    router.tell(new Read(PARTITION, "k", probe.ref()));
    return probe.receiveMessage();
  }
}
