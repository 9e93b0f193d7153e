package io.minidynamo.storage.journal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * In-memory index of the journal: per persistence id, where each atomic-write record lives (keyed
 * by its lowest sequence number), the highest sequence number ever written and the deleted-to
 * mark; per segment, the highest sequence number it holds for each persistence id.
 *
 * <p>Invariants: {@code highest} never decreases (a delete never lowers it); {@code deletedTo <=
 * highest}; records entirely at or below {@code deletedTo} are dropped from the index. All methods
 * are synchronized: the writer thread mutates, replays and highest-sequence-number reads query.
 *
 * <p>Memory: a node's journal holds up to millions of records, so a persistence id's records are
 * kept in parallel primitive arrays in log order (about 36 bytes per record, no objects), not in a
 * tree map of objects. A persistence id writes its sequence numbers in increasing order, so log
 * order is sequence-number order; a write whose lowest number does not exceed an earlier record's
 * replaces the records from that number on (as the log's later record wins on replay).
 */
final class JournalIndex {

  /** One atomic-write record of a persistence id. */
  record Entry(SegmentLog.Location location, long lowestSequenceNr, long highestSequenceNr) {}

  /** The records of one persistence id; live ones are {@code [first, size)}. */
  private static final class PidState {
    long[] lowest = new long[4];
    long[] highest = new long[4];
    long[] segment = new long[4];
    long[] offset = new long[4];
    int[] frameBytes = new int[4];
    int first;
    int size;
    long highestSeqNr;
    long deletedTo;
    long markerSegment = -1;
    /** The segment of the last write and this pid's entry in that segment's contents. */
    long lastWriteSegment = -1;
    long[] lastWriteSegmentHighest;

    void add(SegmentLog.Location location, long low, long high) {
      if (size > first && low <= lowest[size - 1]) {
        size = Math.max(first, firstWithLowestAtLeast(low));
      }
      if (size == lowest.length) {
        grow();
      }
      lowest[size] = low;
      highest[size] = high;
      segment[size] = location.segment();
      offset[size] = location.offset();
      frameBytes[size] = location.frameBytes();
      size++;
    }

    private int firstWithLowestAtLeast(long low) {
      int lo = first;
      int hi = size;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (lowest[mid] < low) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    /** Index of the first live record whose highest sequence number is at least {@code seqNr}. */
    int firstWithHighestAtLeast(long seqNr) {
      int lo = first;
      int hi = size;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (highest[mid] < seqNr) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    /** Drops records entirely at or below {@code deletedTo}; shrinks the arrays when mostly dead. */
    void dropDeleted() {
      while (first < size && highest[first] <= deletedTo) {
        first++;
      }
      if (first > 0 && first >= size / 2) {
        int live = size - first;
        int capacity = Math.max(4, live * 2);
        lowest = java.util.Arrays.copyOfRange(lowest, first, first + capacity);
        highest = java.util.Arrays.copyOfRange(highest, first, first + capacity);
        segment = java.util.Arrays.copyOfRange(segment, first, first + capacity);
        offset = java.util.Arrays.copyOfRange(offset, first, first + capacity);
        frameBytes = java.util.Arrays.copyOfRange(frameBytes, first, first + capacity);
        first = 0;
        size = live;
      }
    }

    private void grow() {
      int capacity = lowest.length * 2;
      lowest = java.util.Arrays.copyOf(lowest, capacity);
      highest = java.util.Arrays.copyOf(highest, capacity);
      segment = java.util.Arrays.copyOf(segment, capacity);
      offset = java.util.Arrays.copyOf(offset, capacity);
      frameBytes = java.util.Arrays.copyOf(frameBytes, capacity);
    }

    Entry entry(int i) {
      return new Entry(
          new SegmentLog.Location(segment[i], offset[i], frameBytes[i]), lowest[i], highest[i]);
    }
  }

  private final Map<String, PidState> pids = new HashMap<>();
  /** Per segment, per persistence id, a one-element holder of the highest sequence number in it. */
  private final NavigableMap<Long, Map<String, long[]>> segmentContents = new TreeMap<>();

  synchronized void registerSegment(long segment) {
    segmentContents.computeIfAbsent(segment, s -> new HashMap<>());
  }

  synchronized void applyWrite(String pid, SegmentLog.Location location, long lowest, long highest) {
    PidState state = pids.computeIfAbsent(pid, p -> new PidState());
    state.add(location, lowest, highest);
    state.highestSeqNr = Math.max(state.highestSeqNr, highest);
    if (state.lastWriteSegment != location.segment()) {
      state.lastWriteSegment = location.segment();
      state.lastWriteSegmentHighest = segmentContents
          .computeIfAbsent(location.segment(), s -> new HashMap<>())
          .computeIfAbsent(pid, p -> new long[] {0L});
    }
    long[] inSegment = state.lastWriteSegmentHighest;
    inSegment[0] = Math.max(inSegment[0], highest);
  }

  /** Applies a deletion marker found at {@code markerSegment}. */
  synchronized void applyDelete(JournalRecord.Delete marker, long markerSegment) {
    PidState state = pids.computeIfAbsent(marker.persistenceId(), p -> new PidState());
    state.highestSeqNr = Math.max(state.highestSeqNr, marker.highestSequenceNr());
    state.deletedTo = Math.max(state.deletedTo, marker.deletedTo());
    state.markerSegment = markerSegment;
    segmentContents.computeIfAbsent(markerSegment, s -> new HashMap<>());
    state.dropDeleted();
  }

  synchronized long highestSequenceNr(String pid) {
    PidState state = pids.get(pid);
    return state == null ? 0L : state.highestSeqNr;
  }

  synchronized long deletedTo(String pid) {
    PidState state = pids.get(pid);
    return state == null ? 0L : state.deletedTo;
  }

  /** Records holding live events of {@code pid} within {@code [from, to]}, in order. */
  synchronized List<Entry> entries(String pid, long from, long to) {
    PidState state = pids.get(pid);
    if (state == null) {
      return List.of();
    }
    long first = Math.max(from, state.deletedTo + 1);
    if (first > to) {
      return List.of();
    }
    List<Entry> result = new ArrayList<>();
    for (int i = state.firstWithHighestAtLeast(first); i < state.size; i++) {
      if (state.lowest[i] > to) {
        break;
      }
      result.add(state.entry(i));
    }
    return result;
  }

  /** Non-active segments in which every event is deleted. */
  synchronized List<Long> deletableSegments(long activeSegment) {
    List<Long> result = new ArrayList<>();
    for (Map.Entry<Long, Map<String, long[]>> segment : segmentContents.entrySet()) {
      if (segment.getKey() != activeSegment && allDeleted(segment.getValue())) {
        result.add(segment.getKey());
      }
    }
    return result;
  }

  private boolean allDeleted(Map<String, long[]> highestByPid) {
    for (Map.Entry<String, long[]> e : highestByPid.entrySet()) {
      if (e.getValue()[0] > deletedTo(e.getKey())) {
        return false;
      }
    }
    return true;
  }

  /** The latest deletion markers that live in {@code segment}, which must move before it goes. */
  synchronized List<JournalRecord.Delete> markersIn(long segment) {
    List<JournalRecord.Delete> result = new ArrayList<>();
    pids.forEach(
        (pid, state) -> {
          if (state.markerSegment == segment) {
            result.add(new JournalRecord.Delete(pid, state.deletedTo, state.highestSeqNr));
          }
        });
    return result;
  }

  synchronized void segmentRemoved(long segment) {
    segmentContents.remove(segment);
    pids.values().forEach(state -> {
      if (state.lastWriteSegment == segment) {
        state.lastWriteSegment = -1;
        state.lastWriteSegmentHighest = null;
      }
    });
  }
}
