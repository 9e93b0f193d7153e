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
 */
final class JournalIndex {

  /** One atomic-write record of a persistence id. */
  record Entry(SegmentLog.Location location, long lowestSequenceNr, long highestSequenceNr) {}

  private static final class PidState {
    final NavigableMap<Long, Entry> records = new TreeMap<>();
    long highest;
    long deletedTo;
    long markerSegment = -1;
  }

  private final Map<String, PidState> pids = new HashMap<>();
  private final NavigableMap<Long, Map<String, Long>> segmentContents = new TreeMap<>();

  synchronized void registerSegment(long segment) {
    segmentContents.computeIfAbsent(segment, s -> new HashMap<>());
  }

  synchronized void applyWrite(String pid, SegmentLog.Location location, long lowest, long highest) {
    PidState state = pids.computeIfAbsent(pid, p -> new PidState());
    state.records.put(lowest, new Entry(location, lowest, highest));
    state.highest = Math.max(state.highest, highest);
    segmentContents
        .computeIfAbsent(location.segment(), s -> new HashMap<>())
        .merge(pid, highest, Math::max);
  }

  /** Applies a deletion marker found at {@code markerSegment}. */
  synchronized void applyDelete(JournalRecord.Delete marker, long markerSegment) {
    PidState state = pids.computeIfAbsent(marker.persistenceId(), p -> new PidState());
    state.highest = Math.max(state.highest, marker.highestSequenceNr());
    state.deletedTo = Math.max(state.deletedTo, marker.deletedTo());
    state.markerSegment = markerSegment;
    segmentContents.computeIfAbsent(markerSegment, s -> new HashMap<>());
    state.records.headMap(state.deletedTo, true).values()
        .removeIf(e -> e.highestSequenceNr() <= state.deletedTo);
  }

  synchronized long highestSequenceNr(String pid) {
    PidState state = pids.get(pid);
    return state == null ? 0L : state.highest;
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
    Long start = state.records.floorKey(first);
    List<Entry> result = new ArrayList<>();
    for (Entry e : state.records.tailMap(start == null ? first : start, true).values()) {
      if (e.lowestSequenceNr() > to) {
        break;
      }
      if (e.highestSequenceNr() >= first) {
        result.add(e);
      }
    }
    return result;
  }

  /** Non-active segments in which every event is deleted. */
  synchronized List<Long> deletableSegments(long activeSegment) {
    List<Long> result = new ArrayList<>();
    for (Map.Entry<Long, Map<String, Long>> segment : segmentContents.entrySet()) {
      if (segment.getKey() != activeSegment && allDeleted(segment.getValue())) {
        result.add(segment.getKey());
      }
    }
    return result;
  }

  private boolean allDeleted(Map<String, Long> highestByPid) {
    for (Map.Entry<String, Long> e : highestByPid.entrySet()) {
      if (e.getValue() > deletedTo(e.getKey())) {
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
            result.add(new JournalRecord.Delete(pid, state.deletedTo, state.highest));
          }
        });
    return result;
  }

  synchronized void segmentRemoved(long segment) {
    segmentContents.remove(segment);
  }
}
