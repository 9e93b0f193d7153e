package io.minidynamo.storage;

import io.minidynamo.versioning.Record;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of one ring partition on one node, in memory: for each key the newest record seen
 * (tombstones included). Applying a record is a last-write-wins merge, so applying the same records
 * in any order yields the same state.
 *
 * <p>Mutable and confined to the actor that owns it; {@link #toSnapshot()} copies it out.
 */
public final class PartitionState {
  private final Map<String, Record> records;

  public PartitionState() {
    this.records = new HashMap<>();
  }

  public static PartitionState fromSnapshot(PartitionSnapshot snapshot) {
    PartitionState state = new PartitionState();
    for (Record record : snapshot.records()) {
      state.apply(record);
    }
    return state;
  }

  /** The stored record for a key (possibly a tombstone), or null. */
  public Record get(String key) {
    return records.get(key);
  }

  /** Merges a record; true when it replaced what was stored (or nothing was). */
  public boolean apply(Record record) {
    Record current = records.get(record.key());
    if (!record.supersedes(current)) {
      return false;
    }
    records.put(record.key(), record);
    return true;
  }

  public int size() {
    return records.size();
  }

  /** An immutable copy of every record, for a snapshot. */
  public PartitionSnapshot toSnapshot() {
    return new PartitionSnapshot(new ArrayList<>(records.values()));
  }

  /** Every record, in no particular order; a copy. */
  public List<Record> records() {
    return List.copyOf(records.values());
  }
}
