package io.minidynamo.storage.journal;

import static io.minidynamo.storage.journal.JournalTesting.TIMEOUT;
import static io.minidynamo.storage.journal.JournalTesting.atomic;
import static io.minidynamo.storage.journal.JournalTesting.deleteTo;
import static io.minidynamo.storage.journal.JournalTesting.journal;
import static io.minidynamo.storage.journal.JournalTesting.payloads;
import static io.minidynamo.storage.journal.JournalTesting.replay;
import static io.minidynamo.storage.journal.JournalTesting.repr;
import static io.minidynamo.storage.journal.JournalTesting.writeEvents;
import static io.minidynamo.storage.journal.JournalTesting.writeMessages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.NonPersistentRepr;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviours of Pekko's TCK {@code JournalSpec}, in JUnit 5, against one running journal.
 * Every test starts with events 1..5 of a fresh persistence id (4 and 5 in one atomic write).
 */
final class SegmentJournalContractTest {

  @TempDir static Path dir;
  private static ActorSystem system;
  private static final AtomicInteger PIDS = new AtomicInteger();
  private String pid;

  @BeforeAll
  static void start() {
    system =
        JournalTesting.system(
            dir,
            "pekko.actor.serializers.exploding = \"" + ExplodingSerializer.class.getName() + "\"\n"
                + "pekko.actor.serialization-bindings {\n"
                + "  \"" + ExplodingSerializer.ExplodingEvent.class.getName() + "\" = exploding\n"
                + "}");
  }

  @AfterAll
  static void stop() {
    JournalTesting.shutdown(system);
  }

  @BeforeEach
  void writeFiveEvents() {
    pid = "pid-" + PIDS.incrementAndGet();
    writeEvents(system, pid, 1, 5);
  }

  @Test
  void replay_all_returnsEveryEventAndHighest() {
    assertEquals(payloads(1, 5), replay(system, pid, 1, Long.MAX_VALUE, Long.MAX_VALUE, 5));
  }

  @Test
  void replay_lowerBound_startsThere() {
    assertEquals(payloads(3, 5), replay(system, pid, 3, Long.MAX_VALUE, Long.MAX_VALUE, 5));
  }

  @Test
  void replay_upperBound_stopsThere() {
    assertEquals(payloads(1, 3), replay(system, pid, 1, 3, Long.MAX_VALUE, 5));
  }

  @Test
  void replay_countLimit_stopsAfterMax() {
    assertEquals(payloads(1, 3), replay(system, pid, 1, Long.MAX_VALUE, 3, 5));
  }

  @Test
  void replay_lowerAndUpperBound_returnsRange() {
    assertEquals(payloads(2, 3), replay(system, pid, 2, 3, Long.MAX_VALUE, 5));
  }

  @Test
  void replay_boundsAndCountLimit_returnsFirstMaxOfRange() {
    assertEquals(payloads(2, 3), replay(system, pid, 2, 5, 2, 5));
  }

  @Test
  void replay_equalBounds_returnsSingleEvent() {
    assertEquals(payloads(2, 2), replay(system, pid, 2, 2, Long.MAX_VALUE, 5));
  }

  @Test
  void replay_countLimitOne_returnsSingleEvent() {
    assertEquals(payloads(2, 2), replay(system, pid, 2, 4, 1, 5));
  }

  @Test
  void replay_countLimitZero_returnsNothing() {
    assertEquals(List.of(), replay(system, pid, 2, 4, 0, 5));
  }

  @Test
  void replay_lowerAboveUpper_returnsNothing() {
    assertEquals(List.of(), replay(system, pid, 3, 2, Long.MAX_VALUE, 5));
  }

  @Test
  void replay_insideAtomicWrite_returnsOnlyRequestedEvent() {
    assertEquals(payloads(5, 5), replay(system, pid, 5, 5, Long.MAX_VALUE, 5));
  }

  @Test
  void replay_unknownPersistenceId_returnsNothingAndZero() {
    assertEquals(List.of(), replay(system, "never-written", 0, Long.MAX_VALUE, Long.MAX_VALUE, 0));
  }

  @Test
  void deleteMessagesTo_range_deletedEventsNotReplayed() {
    deleteTo(system, pid, 3);
    assertEquals(payloads(4, 5), replay(system, pid, 1, Long.MAX_VALUE, Long.MAX_VALUE, 5));
  }

  @Test
  void deleteMessagesTo_range_highestSequenceNrKept() {
    deleteTo(system, pid, 3);
    assertEquals(payloads(4, 5), replay(system, pid, 0, Long.MAX_VALUE, Long.MAX_VALUE, 5));
  }

  @Test
  void deleteMessagesTo_all_highestSequenceNrKept() {
    deleteTo(system, pid, Long.MAX_VALUE);
    assertEquals(List.of(), replay(system, pid, 0, Long.MAX_VALUE, Long.MAX_VALUE, 5));
  }

  @Test
  void deleteMessagesTo_beyondHighest_laterWritesVisible() {
    deleteTo(system, pid, Long.MAX_VALUE);
    writeEvents(system, pid, 6, 7);
    assertEquals(payloads(6, 7), replay(system, pid, 0, Long.MAX_VALUE, Long.MAX_VALUE, 7));
  }

  @Test
  void writeMessages_atomicWriteOfSeveralEvents_allAcknowledgedAndReplayed() {
    TestKit probe = new TestKit(system);
    AtomicWrite three = atomic(repr("a-6", 6, pid), repr("a-7", 7, pid), repr("a-8", 8, pid));
    journal(system).tell(writeMessages(List.of(three), probe.getRef()), ActorRef.noSender());
    probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    for (int i = 6; i <= 8; i++) {
      assertEquals(i, probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class)
          .persistent().sequenceNr());
    }
    assertEquals(payloads(6, 8), replay(system, pid, 6, Long.MAX_VALUE, Long.MAX_VALUE, 8));
  }

  @Test
  void writeMessages_eventWithoutSerializer_rejectedOthersWritten() {
    Object notSerializable = new Object();
    assertRejectsOnly7(notSerializable);
  }

  @Test
  void writeMessages_serializerThrows_rejectedOthersWritten() {
    assertRejectsOnly7(new ExplodingSerializer.ExplodingEvent("x"));
  }

  private void assertRejectsOnly7(Object badEvent) {
    TestKit probe = new TestKit(system);
    List<AtomicWrite> writes =
        List.of(atomic(repr("b-6", 6, pid)), atomic(repr(badEvent, 7, pid)),
            atomic(repr("b-8", 8, pid)));
    journal(system).tell(writeMessages(writes, probe.getRef()), ActorRef.noSender());
    probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    assertEquals(6, probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class)
        .persistent().sequenceNr());
    JournalProtocol.WriteMessageRejected rejected =
        probe.expectMsgClass(JournalProtocol.WriteMessageRejected.class);
    assertEquals(7, rejected.message().sequenceNr());
    assertEquals(badEvent, rejected.message().payload());
    assertEquals(8, probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class)
        .persistent().sequenceNr());
    List<Object> expected = new ArrayList<>(payloads(1, 5));
    expected.addAll(List.of("b-6", "b-8"));
    assertEquals(expected, replay(system, pid, 1, Long.MAX_VALUE, Long.MAX_VALUE, 8));
  }

  @Test
  void writeMessages_loopedMessage_answeredAfterTheWritesBeforeIt() {
    TestKit probe = new TestKit(system);
    List<PersistentEnvelope> envelopes =
        List.of(atomic(repr("d-6", 6, pid)), NonPersistentRepr.apply("looped", ActorRef.noSender()));
    journal(system).tell(writeMessages(envelopes, probe.getRef()), ActorRef.noSender());
    probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    assertEquals(6, probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class)
        .persistent().sequenceNr());
    assertEquals("looped", probe.expectMsgClass(JournalProtocol.LoopMessageSuccess.class).message());
    List<Object> stored = new ArrayList<>(payloads(1, 5));
    stored.add("d-6"); // the looped message is not
    assertEquals(stored, replay(system, pid, 1, Long.MAX_VALUE, Long.MAX_VALUE, 6));
  }

  @Test
  void writeMessages_eventWithSender_answeredToItsSenderWhichIsNotStored() {
    TestKit probe = new TestKit(system);
    TestKit commandSender = new TestKit(system);
    PersistentRepr withSender = PersistentRepr.apply(
        "e-6", 6, pid, "", false, commandSender.getRef(), JournalTesting.WRITER_UUID);
    journal(system).tell(writeMessages(List.of(atomic(withSender)), probe.getRef()), ActorRef.noSender());
    probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    probe.expectMsgClass(JournalProtocol.WriteMessageSuccess.class);
    assertEquals(commandSender.getRef(), probe.getLastSender());

    journal(system).tell(new JournalProtocol.ReplayMessages(6, 6, 1, pid, probe.getRef()),
        ActorRef.noSender());
    PersistentRepr replayed = probe.expectMsgClass(TIMEOUT, JournalProtocol.ReplayedMessage.class)
        .persistent();
    assertEquals("e-6", replayed.payload());
    assertTrue(replayed.sender() == null || replayed.sender().equals(system.deadLetters()),
        "stored sender " + replayed.sender());
    probe.expectMsgClass(TIMEOUT, JournalProtocol.RecoverySuccess.class);
  }

  @Test
  void writeMessages_interleavedPersistenceIds_eachReplaysInOrder() {
    String other = pid + "-other";
    TestKit probe = new TestKit(system);
    List<AtomicWrite> writes = new ArrayList<>();
    for (int i = 6; i <= 25; i++) {
      writes.add(atomic(repr("a-" + i, i, pid)));
      writes.add(atomic(repr("a-" + (i - 5), i - 5, other)));
    }
    journal(system).tell(writeMessages(writes, probe.getRef()), ActorRef.noSender());
    probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    probe.receiveN(writes.size(), TIMEOUT);
    assertEquals(payloads(1, 25), replay(system, pid, 1, Long.MAX_VALUE, Long.MAX_VALUE, 25));
    assertEquals(payloads(1, 20), replay(system, other, 1, Long.MAX_VALUE, Long.MAX_VALUE, 20));
  }

  @Test
  void groupCommit_concurrentWriters_fewerFsyncsThanWrites() {
    JournalStats before = StorageStats.get(system).journal();
    int writers = 32;
    int writesEach = 8;
    List<TestKit> probes = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      probes.add(new TestKit(system));
    }
    // every writer has all its writes in flight at once, as concurrent persistent actors would
    for (int i = 1; i <= writesEach; i++) {
      for (int w = 0; w < writers; w++) {
        String writerPid = pid + "-w" + w;
        journal(system).tell(
            writeMessages(List.of(atomic(repr("e", i, writerPid))), probes.get(w).getRef()),
            ActorRef.noSender());
      }
    }
    // write-response-global-order = off: the answers to one writer's separate writes may
    // interleave, so count each kind rather than expecting them in pairs
    for (TestKit probe : probes) {
      List<Object> answers = probe.receiveN(2 * writesEach, TIMEOUT);
      assertEquals(writesEach, answers.stream()
          .filter(answer -> answer == JournalProtocol.WriteMessagesSuccessful$.MODULE$).count());
      assertEquals(writesEach, answers.stream()
          .filter(answer -> answer instanceof JournalProtocol.WriteMessageSuccess).count());
    }
    JournalStats after = StorageStats.get(system).journal();
    long writes = after.writes() - before.writes();
    long fsyncs = after.fsyncs() - before.fsyncs();
    assertEquals(writers * writesEach, writes);
    assertTrue(fsyncs < writes, "fsyncs " + fsyncs + " should be fewer than writes " + writes);
    assertTrue(after.maxWritesPerBatch() > 1, "some fsync covered several writes");
  }

  @Test
  void storageStats_runningJournal_reportsDirectoryAndFiles() {
    JournalStats stats = StorageStats.get(system).journal();
    assertTrue(stats.running());
    assertEquals(dir.resolve("journal").toAbsolutePath().toString(), stats.dataDir());
    assertTrue(stats.segments() >= 1);
    assertTrue(stats.journalBytes() > 0);
    assertEquals("fsync", stats.durability());
    assertTrue(stats.fsyncs() > 0);
    assertInstanceOf(Double.class, stats.meanEventsPerBatch());
  }
}
