package io.minidynamo.storage.journal;

import static io.minidynamo.storage.journal.JournalTesting.TIMEOUT;
import static io.minidynamo.storage.journal.JournalTesting.snapshotStore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.DeleteSnapshotSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.OptionConverters;

/**
 * The behaviours of Pekko's TCK {@code SnapshotStoreSpec}, plus corruption fallback. Every test
 * starts with snapshots "s-1".."s-5" at sequence numbers 11..15 of a fresh persistence id.
 */
final class FsyncSnapshotStoreTest {

  @TempDir static Path dir;
  private static ActorSystem system;
  private static final AtomicInteger PIDS = new AtomicInteger();
  private String pid;
  private List<SnapshotMetadata> metadata;
  private TestKit probe;

  @BeforeAll
  static void start() {
    system = JournalTesting.system(dir, "");
  }

  @AfterAll
  static void stop() {
    JournalTesting.shutdown(system);
  }

  @BeforeEach
  void saveFiveSnapshots() {
    pid = "snap-pid-" + PIDS.incrementAndGet();
    probe = new TestKit(system);
    metadata = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      metadata.add(save(SnapshotMetadata.apply(pid, i + 10), "s-" + i));
    }
  }

  private SnapshotMetadata save(SnapshotMetadata md, Object snapshot) {
    snapshotStore(system).tell(new SnapshotProtocol.SaveSnapshot(md, snapshot), probe.getRef());
    return probe.expectMsgClass(TIMEOUT, SaveSnapshotSuccess.class).metadata();
  }

  private Optional<SelectedSnapshot> load(String id, SnapshotSelectionCriteria criteria, long to) {
    snapshotStore(system).tell(new SnapshotProtocol.LoadSnapshot(id, criteria, to), probe.getRef());
    SnapshotProtocol.LoadSnapshotResult result =
        probe.expectMsgClass(TIMEOUT, SnapshotProtocol.LoadSnapshotResult.class);
    assertEquals(to, result.toSequenceNr());
    return OptionConverters.toJava(result.snapshot());
  }

  private Optional<SelectedSnapshot> load(SnapshotSelectionCriteria criteria) {
    return load(pid, criteria, Long.MAX_VALUE);
  }

  private Optional<SelectedSnapshot> selected(int index) {
    return Optional.of(SelectedSnapshot.create(metadata.get(index), "s-" + (index + 1)));
  }

  private static SnapshotSelectionCriteria criteria(long maxSeqNr, long maxTimestamp) {
    return SnapshotSelectionCriteria.create(maxSeqNr, maxTimestamp);
  }

  @Test
  void load_unknownPersistenceId_none() {
    assertEquals(Optional.empty(), load("invalid", SnapshotSelectionCriteria.latest(), Long.MAX_VALUE));
  }

  @Test
  void load_nonMatchingTimestamp_none() {
    assertEquals(Optional.empty(), load(criteria(Long.MAX_VALUE, 100)));
  }

  @Test
  void load_nonMatchingSequenceNr_none() {
    assertEquals(Optional.empty(), load(criteria(7, Long.MAX_VALUE)));
    assertEquals(Optional.empty(), load(pid, SnapshotSelectionCriteria.latest(), 7));
  }

  @Test
  void load_latest_newestWins() {
    assertEquals(selected(4), load(SnapshotSelectionCriteria.latest()));
  }

  @Test
  void load_upperSequenceNrBound_newestBelowBound() {
    assertEquals(selected(2), load(criteria(13, Long.MAX_VALUE)));
    assertEquals(selected(2), load(pid, SnapshotSelectionCriteria.latest(), 13));
  }

  @Test
  void load_upperSequenceNrAndTimestampBounds_newestWithinBoth() {
    assertEquals(selected(2), load(criteria(13, metadata.get(2).timestamp())));
    assertEquals(selected(2),
        load(pid, criteria(Long.MAX_VALUE, metadata.get(2).timestamp()), 13));
  }

  @Test
  void deleteSnapshot_byMetadataWithoutTimestamp_olderOneLoaded() {
    SnapshotMetadata md = SnapshotMetadata.apply(pid, metadata.get(2).sequenceNr(), 0L);
    snapshotStore(system).tell(new SnapshotProtocol.DeleteSnapshot(md), probe.getRef());
    probe.expectMsgEquals(TIMEOUT, new DeleteSnapshotSuccess(md));
    assertEquals(selected(1), load(criteria(md.sequenceNr(), Long.MAX_VALUE)));
  }

  @Test
  void deleteSnapshots_byCriteria_allMatchingGone() {
    SnapshotMetadata md = metadata.get(2);
    SnapshotSelectionCriteria c = criteria(md.sequenceNr(), md.timestamp());
    snapshotStore(system).tell(new SnapshotProtocol.DeleteSnapshots(pid, c), probe.getRef());
    probe.expectMsgEquals(TIMEOUT, new DeleteSnapshotsSuccess(c));
    assertEquals(Optional.empty(), load(c));
    assertEquals(selected(3), load(criteria(metadata.get(3).sequenceNr(), metadata.get(3).timestamp())));
  }

  @Test
  void deleteSnapshots_nonMatchingTimestamp_keepsSnapshot() {
    SnapshotMetadata md = metadata.get(3);
    SnapshotSelectionCriteria c = criteria(md.sequenceNr(), md.timestamp() - 1);
    snapshotStore(system).tell(new SnapshotProtocol.DeleteSnapshots(pid, c), probe.getRef());
    probe.expectMsgEquals(TIMEOUT, new DeleteSnapshotsSuccess(c));
    assertEquals(selected(3), load(criteria(md.sequenceNr(), md.timestamp())));
  }

  @Test
  void save_sameSequenceNr_newerOneLoaded() {
    SnapshotMetadata md = metadata.get(4);
    SnapshotMetadata saved = save(md, "s-5-modified");
    assertEquals(md.sequenceNr(), saved.sequenceNr());
    SelectedSnapshot loaded = load(criteria(md.sequenceNr(), Long.MAX_VALUE)).orElseThrow();
    assertEquals("s-5-modified", loaded.snapshot());
  }

  @Test
  void save_bigSnapshot_roundTrips() {
    String big = "0".repeat(100_000);
    save(SnapshotMetadata.apply(pid, 100), big);
    assertEquals(big, load(SnapshotSelectionCriteria.latest()).orElseThrow().snapshot());
  }

  @Test
  void save_persistenceIdsWithSpecialCharacters_keptApart() {
    String odd = pid + "/x y-1";
    save(SnapshotMetadata.apply(odd, 1), "odd");
    assertEquals("odd", load(odd, SnapshotSelectionCriteria.latest(), Long.MAX_VALUE)
        .orElseThrow().snapshot());
    assertEquals(selected(4), load(SnapshotSelectionCriteria.latest()));
  }

  @Test
  void load_newestCorrupt_fallsBackToOlderAndCounts() throws IOException {
    long fallbacksBefore = StorageStats.get(system).snapshots().fallbacks();
    flipByte(newestFile(), 20);
    assertEquals(selected(3), load(SnapshotSelectionCriteria.latest()));
    assertEquals(fallbacksBefore + 1, StorageStats.get(system).snapshots().fallbacks());
  }

  @Test
  void load_newestEmptyFile_fallsBackToOlder() throws IOException {
    Files.write(newestFile(), new byte[0]);
    assertEquals(selected(3), load(SnapshotSelectionCriteria.latest()));
  }

  @Test
  void storageStats_afterSaves_countsSavedBytes() throws IOException {
    SnapshotStats stats = StorageStats.get(system).snapshots();
    assertTrue(stats.saved() >= 5);
    assertEquals(Files.size(newestFile()), stats.lastSizeBytes());
    assertTrue(stats.totalBytes() >= 5 * stats.lastSizeBytes());
    assertTrue(noTempFiles(), "temp files left behind");
  }

  private Path newestFile() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("snapshot-" + pid + "-15-"))
          .findFirst()
          .orElseThrow();
    }
  }

  private static boolean noTempFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
      return files.noneMatch(p -> p.toString().endsWith(".tmp"));
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x5A));
      ch.write(b.rewind(), offset);
    }
  }
}
