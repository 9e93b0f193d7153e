package io.minidynamo.storage.journal;

import static io.minidynamo.storage.journal.JournalTesting.TIMEOUT;
import static io.minidynamo.storage.journal.JournalTesting.atomic;
import static io.minidynamo.storage.journal.JournalTesting.deleteTo;
import static io.minidynamo.storage.journal.JournalTesting.journal;
import static io.minidynamo.storage.journal.JournalTesting.payloads;
import static io.minidynamo.storage.journal.JournalTesting.replay;
import static io.minidynamo.storage.journal.JournalTesting.repr;
import static io.minidynamo.storage.journal.JournalTesting.segmentFiles;
import static io.minidynamo.storage.journal.JournalTesting.writeEvents;
import static io.minidynamo.storage.journal.JournalTesting.writeMessages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.testkit.javadsl.EventFilter;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restart, crash and corruption behaviour: each test runs fresh actor systems on one dir. */
final class SegmentJournalRecoveryTest {

  private static final String PID = "p";
  private static final String SMALL_SEGMENTS =
      JournalTesting.JOURNAL + ".segment-size = 100b";

  @TempDir Path dir;

  private void withSystem(String extraConfig, Consumer<ActorSystem> body) {
    ActorSystem system = JournalTesting.system(dir, extraConfig);
    try {
      body.accept(system);
    } finally {
      JournalTesting.shutdown(system);
    }
  }

  private void withSystem(Consumer<ActorSystem> body) {
    withSystem("", body);
  }

  @Test
  void restart_freshSystem_replaysEventsAndHighest() {
    withSystem(s -> writeEvents(s, PID, 1, 5));
    withSystem(s -> assertEquals(payloads(1, 5), replay(s, PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, 5)));
  }

  /**
   * The fault suite's deliberately broken self-test setting: writes are acknowledged like any other,
   * yet nothing reaches the disk, so a restart replays nothing.
   */
  @Test
  void unsafeSkipPersist_acknowledgesButARestartReplaysNothing() {
    String unsafe = JournalTesting.JOURNAL + ".unsafe-skip-persist = on";
    withSystem(unsafe, s -> writeEvents(s, PID, 1, 5));
    withSystem(s -> assertEquals(List.of(), replay(s, PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, 0)));
  }

  @Test
  void restart_afterDeleteTo_deletionAndHighestSurvive() {
    withSystem(
        s -> {
          writeEvents(s, PID, 1, 5);
          deleteTo(s, PID, 3);
        });
    withSystem(
        s -> {
          assertEquals(payloads(4, 5), replay(s, PID, 0, Long.MAX_VALUE, Long.MAX_VALUE, 5));
          deleteTo(s, PID, Long.MAX_VALUE);
        });
    withSystem(s -> assertEquals(List.of(), replay(s, PID, 0, Long.MAX_VALUE, Long.MAX_VALUE, 5)));
  }

  @Test
  void tornTail_lastRecordTruncated_cutLoggedReplaysRestAndAppendsWork() throws IOException {
    withSystem(s -> writeEvents(s, PID, 1, 5)); // records: 1, 2, 3, (4,5)
    Path segment = lastSegment();
    long sizeBefore = Files.size(segment);
    truncateBy(segment, 3);
    withSystem(
        "pekko.loggers = [\"org.apache.pekko.testkit.TestEventListener\"]",
        s -> {
          new EventFilter(Logging.Warning.class, s)
              .matches(".*cut torn/corrupt tail: file .*segment-0+1\\.log offset \\d+ bytes \\d+.*")
              .occurrences(1)
              .intercept(() -> journal(s));
          assertEquals(payloads(1, 3), replay(s, PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, 3));
          JournalStats stats = StorageStats.get(s).journal();
          assertEquals(1, stats.recordsCutAtRecovery());
          assertTrue(stats.bytesCutAtRecovery() > 0);
          writeEvents(s, PID, 4, 5);
        });
    assertTrue(Files.size(segment) <= sizeBefore + 1000);
    withSystem(
        s -> {
          assertEquals(payloads(1, 5), replay(s, PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, 5));
          assertEquals(0, StorageStats.get(s).journal().recordsCutAtRecovery());
        });
  }

  @Test
  void tornTail_atomicWriteOfThreeTorn_allThreeLost() throws IOException {
    withSystem(
        s -> {
          TestKit probe = new TestKit(s);
          journal(s).tell(
              writeMessages(
                  List.of(
                      atomic(repr("a-1", 1, PID)),
                      atomic(repr("a-2", 2, PID), repr("a-3", 3, PID), repr("a-4", 4, PID))),
                  probe.getRef()),
              ActorRef.noSender());
          probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
          probe.receiveN(4, TIMEOUT);
        });
    truncateBy(lastSegment(), 1);
    withSystem(s -> assertEquals(payloads(1, 1), replay(s, PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, 1)));
  }

  @Test
  void tornTail_zeroFilledTail_cut() throws IOException {
    withSystem(s -> writeEvents(s, PID, 1, 5));
    append(lastSegment(), new byte[4096]);
    withSystem(
        s -> {
          assertEquals(payloads(1, 5), replay(s, PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, 5));
          assertEquals(4096, StorageStats.get(s).journal().bytesCutAtRecovery());
        });
  }

  @Test
  void corruptRecord_inMiddleOfLastSegment_startFailsNamingFileAndOffset() throws IOException {
    withSystem(s -> writeEvents(s, PID, 1, 5));
    Path segment = lastSegment();
    flipByte(segment, RecordFrame.HEADER_BYTES + 5); // inside the first record's payload
    CorruptJournalException e = assertThrows(CorruptJournalException.class, () -> open(segment));
    assertEquals(segment, e.file());
    assertEquals(0, e.offset());
    assertTrue(e.getMessage().contains(segment.toString()) && e.getMessage().contains("offset 0"),
        e.getMessage());
  }

  @Test
  void corruptRecord_inMiddle_journalActorFailsToStart() throws IOException {
    withSystem(s -> writeEvents(s, PID, 1, 5));
    flipByte(lastSegment(), RecordFrame.HEADER_BYTES + 5);
    withSystem(
        s -> {
          TestKit probe = new TestKit(s);
          probe.watch(journal(s));
          probe.expectTerminated(TIMEOUT, journal(s));
        });
  }

  @Test
  void corruptRecord_atEndOfNonLastSegment_startFails() throws IOException {
    withSystem(SMALL_SEGMENTS, s -> {
      for (int i = 1; i <= 20; i += 5) {
        writeEvents(s, PID, i, i + 4);
      }
    });
    List<Path> segments = segmentFiles(dir);
    assertTrue(segments.size() > 2, "expected several segments, got " + segments);
    Path first = segments.get(0);
    flipByte(first, Files.size(first) - 1);
    CorruptJournalException e = assertThrows(CorruptJournalException.class, () -> open(first));
    assertEquals(first, e.file());
  }

  @Test
  void emptySegmentFile_afterLast_usedAsActiveSegment() throws IOException {
    withSystem(s -> writeEvents(s, PID, 1, 5));
    Files.createFile(dir.resolve("journal").resolve(String.format("segment-%020d.log", 7)));
    withSystem(
        s -> {
          assertEquals(payloads(1, 5), replay(s, PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, 5));
          writeEvents(s, PID, 6, 7);
        });
    withSystem(s -> assertEquals(payloads(1, 7), replay(s, PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, 7)));
  }

  @Test
  void missingDirectory_created() {
    Path nested = dir.resolve("not/yet/there");
    ActorSystem system = JournalTesting.system(nested, "");
    try {
      writeEvents(system, PID, 1, 2);
      assertEquals(payloads(1, 2), replay(system, PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, 2));
      assertTrue(Files.isDirectory(nested.resolve("journal")));
    } finally {
      JournalTesting.shutdown(system);
    }
  }

  @Test
  void deleteMessagesTo_smallSegments_oldSegmentsRemovedStateSurvivesRestart() throws IOException {
    withSystem(SMALL_SEGMENTS, s -> {
      for (int i = 1; i <= 40; i += 5) {
        writeEvents(s, PID, i, i + 4);
      }
    });
    List<Path> before = segmentFiles(dir);
    assertTrue(before.size() >= 8, "expected a segment per batch, got " + before.size());
    withSystem(SMALL_SEGMENTS, s -> deleteTo(s, PID, 30));
    List<Path> after = segmentFiles(dir);
    assertFalse(after.contains(before.get(0)), "first segment should be gone: " + after);
    assertTrue(after.size() < before.size() - 4, before.size() + " -> " + after.size());
    withSystem(SMALL_SEGMENTS, s ->
        assertEquals(payloads(31, 40), replay(s, PID, 0, Long.MAX_VALUE, Long.MAX_VALUE, 40)));
  }

  @Test
  void deleteMessagesTo_markerSegmentRemoved_markerCarriedForward() throws IOException {
    withSystem(SMALL_SEGMENTS, s -> {
      writeEvents(s, "a", 1, 5);
      deleteTo(s, "a", Long.MAX_VALUE); // marker of "a" lands in an early segment
      for (int i = 1; i <= 30; i += 5) {
        writeEvents(s, "b", i, i + 4);
      }
      deleteTo(s, "b", 30); // every old segment, including a's marker segment, becomes garbage
    });
    assertTrue(segmentFiles(dir).size() <= 2, "old segments removed: " + segmentFiles(dir));
    withSystem(SMALL_SEGMENTS, s -> {
      assertEquals(List.of(), replay(s, "a", 0, Long.MAX_VALUE, Long.MAX_VALUE, 5));
      assertEquals(List.of(), replay(s, "b", 0, Long.MAX_VALUE, Long.MAX_VALUE, 30));
      writeEvents(s, "a", 6, 7);
      assertEquals(payloads(6, 7), replay(s, "a", 0, Long.MAX_VALUE, Long.MAX_VALUE, 7));
    });
  }

  private SegmentLog.Opened open(Path segment) throws IOException {
    return SegmentLog.open(segment.getParent(), 64 << 20, Durability.NONE, (r, l) -> {});
  }

  private Path lastSegment() throws IOException {
    List<Path> segments = segmentFiles(dir);
    return segments.get(segments.size() - 1);
  }

  private static void truncateBy(Path file, long bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - bytes);
    }
  }

  private static void append(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes, StandardOpenOption.APPEND);
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x5A));
      b.rewind();
      ch.write(b, offset);
    }
  }
}
