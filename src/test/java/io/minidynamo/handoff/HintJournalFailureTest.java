package io.minidynamo.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.InMemoryPersistence;
import io.minidynamo.cluster.Peers;
import io.minidynamo.handoff.HintProtocol.GetStats;
import io.minidynamo.handoff.HintProtocol.HintedWrite;
import io.minidynamo.handoff.HintProtocol.Stats;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.replica.WriteBatcher;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
 * A hint whose journal write fails is refused, and the hint log restarted by the failure recovers
 * without it: Pekko hands the restarted log the "empty" state object it started with, which must
 * not be the live state (the journal would be replayed on top of the hint that failed).
 */
class HintJournalFailureTest {
  private static final String TARGET = "n2";
  private static final Duration NEVER = Duration.ofHours(1);

  @TempDir static Path snapshots;

  private static ActorTestKit testKit;
  private static PersistenceTestKit journal;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("hint-journal-failure", InMemoryPersistence.withFailableJournal(snapshots));
    journal = PersistenceTestKit.create(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void failedHint_refused_isNotHeldOnceTheLogRecovered() {
    TestProbe<ReplicaProtocol.Command> target = testKit.createTestProbe();
    ActorRef<ReplicaProtocol.Command> store = testKit.spawn(HintStore.create("h1",
        new Peers(Map.of(TARGET, target.ref()), Map.of()),
        new HintStore.Settings(NEVER, 10, NEVER, NEVER,
            new WriteBatcher.Limits(64, 1_000, Duration.ofSeconds(5)), 1_000, Duration.ofHours(1))));
    assertTrue(hint(store, put("kept", 1)).ok());

    journal.failNextPersisted();
    // answered once the restarted log has recovered (its front fails the batch it held then)
    assertEquals("journal write failed", hint(store, put("failed", 2)).error());

    Stats stats = stats(store);
    assertEquals(1, stats.count());
    assertEquals(Map.of(TARGET, 1), stats.targets());
    assertTrue(hint(store, put("later", 3)).ok());
    assertEquals(2, stats(store).count());
  }

  private static WriteAck hint(ActorRef<ReplicaProtocol.Command> store, Record record) {
    TestProbe<WriteAck> probe = testKit.createTestProbe();
    store.tell(new HintedWrite(12, record, TARGET, probe.ref()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  private static Stats stats(ActorRef<ReplicaProtocol.Command> store) {
    TestProbe<Stats> probe = testKit.createTestProbe();
    store.tell(new GetStats(probe.ref()));
    return probe.receiveMessage();
  }

  private static Record put(String key, long timestamp) {
    return Record.put(key, (key + timestamp).getBytes(StandardCharsets.UTF_8),
        new Version(timestamp, "n1"));
  }
}
