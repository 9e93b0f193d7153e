package io.minidynamo.storage.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The journal's in-memory index: replay ranges, deletes, segment bookkeeping. */
class JournalIndexTest {

  private static SegmentLog.Location at(long segment, long offset) {
    return new SegmentLog.Location(segment, offset, 10);
  }

  /** Lowest sequence numbers of the entries returned for a range. */
  private static List<Long> lows(JournalIndex index, String pid, long from, long to) {
    return index.entries(pid, from, to).stream().map(JournalIndex.Entry::lowestSequenceNr).toList();
  }

  /** Records of two events each: 1-2, 3-4, ..., 199-200; segment = 1 + (lowest-1)/50. */
  private static JournalIndex hundredRecords() {
    JournalIndex index = new JournalIndex();
    for (long low = 1; low < 200; low += 2) {
      index.applyWrite("p", at(1 + (low - 1) / 50, low * 10), low, low + 1);
      index.applyWrite("other", at(1 + (low - 1) / 50, low * 10 + 5), low, low);
    }
    return index;
  }

  @Test
  void entries_rangeInsideRecords_includesRecordsThatOverlapIt() {
    JournalIndex index = hundredRecords();
    assertEquals(List.of(5L, 7L), lows(index, "p", 6, 7));
    assertEquals(List.of(199L), lows(index, "p", 200, 500));
    assertEquals(List.of(), lows(index, "p", 201, 500));
    assertEquals(100, index.entries("p", 1, Long.MAX_VALUE).size());
    assertEquals(200, index.highestSequenceNr("p"));
    assertEquals(List.of(), lows(index, "nobody", 1, 10));
  }

  @Test
  void delete_dropsWholeRecordsAtOrBelow_keepsPartlyDeletedOnes_andSurvivesCompaction() {
    JournalIndex index = hundredRecords();
    index.applyDelete(new JournalRecord.Delete("p", 150, 200), 4); // 75 records gone: compacts
    assertEquals(150, index.deletedTo("p"));
    assertEquals(List.of(151L, 153L), lows(index, "p", 1, 154));
    index.applyDelete(new JournalRecord.Delete("p", 156, 200), 4); // 155-156 gone, not 157-158
    assertEquals(List.of(157L), lows(index, "p", 1, 157));
    index.applyWrite("p", at(4, 99_999), 201, 201);
    assertEquals(List.of(199L, 201L), lows(index, "p", 200, 201));
    assertEquals(201, index.highestSequenceNr("p"));
  }

  @Test
  void writeOfAnEarlierSequenceNumber_replacesTheRecordsFromThereOn() {
    JournalIndex index = hundredRecords();
    index.applyWrite("p", at(5, 0), 195, 195);
    assertEquals(List.of(193L, 195L), lows(index, "p", 193, 1000));
    assertEquals(5, index.entries("p", 195, 195).get(0).location().segment());
    assertEquals(200, index.highestSequenceNr("p"), "the highest number is never lowered");
  }

  @Test
  void deletableSegments_onlyThoseWhoseEveryPidIsDeletedThere() {
    JournalIndex index = hundredRecords();
    index.applyDelete(new JournalRecord.Delete("p", 100, 200), 4);
    assertEquals(List.of(), index.deletableSegments(4), "'other' still lives in segments 1-4");
    index.applyDelete(new JournalRecord.Delete("other", 60, 199), 4);
    assertEquals(List.of(1L), index.deletableSegments(4));
    assertEquals(List.of(
        new JournalRecord.Delete("p", 100, 200), new JournalRecord.Delete("other", 60, 199)),
        index.markersIn(4).stream().sorted((a, b) -> b.persistenceId().compareTo(a.persistenceId())).toList());
    index.segmentRemoved(1);
    assertEquals(List.of(), index.deletableSegments(4));
  }
}
