package io.minidynamo.handoff;

import io.minidynamo.CborSerializable;
import io.minidynamo.versioning.Record;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The hints a node holds, per target node, oldest first (ids increase with arrival). Pure and
 * mutable, confined to the hint log actor; {@link #toSnapshot()} copies it out.
 *
 * <p>Invariants: ids are unique and increasing; a hint leaves only through {@link #remove}, which
 * the log calls after the target acknowledged (fsynced) the record.
 */
public final class HintState {
  private final Map<String, TreeMap<Long, Hint>> byTarget = new HashMap<>();
  private long nextId = 1;
  private long delivered;

  /** The serialized form. */
  public record Snapshot(List<Hint> hints, long nextId, long delivered) implements CborSerializable {
    public Snapshot {
      hints = List.copyOf(hints);
    }
  }

  public static HintState fromSnapshot(Snapshot snapshot) {
    HintState state = new HintState();
    snapshot.hints().forEach(state::add);
    state.nextId = Math.max(state.nextId, snapshot.nextId());
    state.delivered = snapshot.delivered();
    return state;
  }

  /** The id the next hint gets. */
  public long nextId() {
    return nextId;
  }

  public void add(Hint hint) {
    byTarget.computeIfAbsent(hint.target(), target -> new TreeMap<>()).put(hint.id(), hint);
    nextId = Math.max(nextId, hint.id() + 1);
  }

  /** Drops delivered hints; ids not held (already removed) are ignored. */
  public void remove(String target, Collection<Long> ids) {
    TreeMap<Long, Hint> hints = byTarget.get(target);
    if (hints == null) {
      return;
    }
    for (long id : ids) {
      if (hints.remove(id) != null) {
        delivered++;
      }
    }
    if (hints.isEmpty()) {
      byTarget.remove(target);
    }
  }

  /** Up to {@code max} of the oldest hints for {@code target}, skipping ids in {@code exclude}. */
  public List<Hint> oldest(String target, int max, Set<Long> exclude) {
    List<Hint> result = new ArrayList<>();
    TreeMap<Long, Hint> hints = byTarget.get(target);
    if (hints == null) {
      return result;
    }
    for (Hint hint : hints.values()) {
      if (result.size() >= max) {
        break;
      }
      if (!exclude.contains(hint.id())) {
        result.add(hint);
      }
    }
    return result;
  }

  /** The newest record held for a key of a partition, for any target, or null. */
  public Record newest(int partition, String key) {
    Record newest = null;
    for (TreeMap<Long, Hint> hints : byTarget.values()) {
      for (Hint hint : hints.values()) {
        if (hint.partition() == partition && hint.record().key().equals(key)) {
          newest = Record.newer(newest, hint.record());
        }
      }
    }
    return newest;
  }

  public Set<String> targets() {
    return Set.copyOf(byTarget.keySet());
  }

  public int count() {
    return byTarget.values().stream().mapToInt(Map::size).sum();
  }

  public Map<String, Integer> countsByTarget() {
    Map<String, Integer> counts = new TreeMap<>();
    byTarget.forEach((target, hints) -> counts.put(target, hints.size()));
    return counts;
  }

  public long delivered() {
    return delivered;
  }

  /** When the oldest pending hint was stored, or -1 with none pending. */
  public long oldestStoredAtMillis() {
    return byTarget.values().stream()
        .filter(hints -> !hints.isEmpty())
        .mapToLong(hints -> hints.firstEntry().getValue().storedAtMillis())
        .min()
        .orElse(-1);
  }

  /** The oldest version timestamp of any pending hint's record, or {@link Long#MAX_VALUE} with none. */
  public long oldestRecordTimestamp() {
    long oldest = Long.MAX_VALUE;
    for (TreeMap<Long, Hint> hints : byTarget.values()) {
      for (Hint hint : hints.values()) {
        oldest = Math.min(oldest, hint.record().version().timestamp());
      }
    }
    return oldest;
  }

  public Snapshot toSnapshot() {
    List<Hint> hints = new ArrayList<>();
    byTarget.values().forEach(target -> hints.addAll(target.values()));
    return new Snapshot(hints, nextId, delivered);
  }
}
