package io.minidynamo.storage;

import io.minidynamo.antientropy.LeafReconciliation;
import io.minidynamo.antientropy.MerkleTree;
import io.minidynamo.versioning.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The records of one ring partition on one node, in memory: for each key the newest record seen
 * (tombstones included), and the Merkle tree over (key, version, tombstone) that anti-entropy
 * compares. Applying a record is a last-write-wins merge, so applying the same records in any order
 * yields the same state and the same tree; the tree is updated on every apply and rebuilt (by
 * applying) from a snapshot, never stored.
 *
 * <p>Mutable and written only by the actor that owns it; {@link #toSnapshot()} copies it out.
 * {@link #get} may be called from any thread (see {@link io.minidynamo.replica.CommittedReads}):
 * the records are in a concurrent map. Everything else, the tree included, is the owner's alone.
 */
public final class PartitionState {
  /** Leaves of 2^10 buckets: a differing key narrows a repair to about 1/1024 of the partition. */
  public static final int TREE_DEPTH = 10;

  private final Map<String, Record> records;
  private final MerkleTree tree;

  public PartitionState() {
    this.records = new ConcurrentHashMap<>();
    this.tree = new MerkleTree(TREE_DEPTH);
  }

  public static PartitionState fromSnapshot(PartitionSnapshot snapshot) {
    PartitionState state = new PartitionState();
    for (Record record : snapshot.records()) {
      state.apply(record);
    }
    return state;
  }

  /** The stored record for a key (possibly a tombstone), or null; from any thread. */
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
    if (current == null) {
      tree.add(record.key(), entryHash(record));
    } else {
      tree.replace(record.key(), entryHash(current), entryHash(record));
    }
    return true;
  }

  /**
   * Removes the tombstone of {@code key} if it is stored at exactly {@code version} (a tombstone
   * purge; see {@link io.minidynamo.antientropy.TombstoneTracker}): the record leaves the map and its
   * entry the tree. Not an event: a purge is not journaled, so a restart may bring the tombstone back
   * from the journal or a snapshot, which is harmless (it is purged again). True when removed.
   */
  public boolean purge(String key, io.minidynamo.versioning.Version version) {
    Record current = records.get(key);
    if (current == null || !current.tombstone() || !current.version().equals(version)) {
      return false;
    }
    records.remove(key);
    tree.remove(key, entryHash(current));
    return true;
  }

  private static long entryHash(Record record) {
    return MerkleTree.entryHash(
        record.key(), record.version().timestamp(), record.version().writer(), record.tombstone());
  }

  /** The live tree: read it only from the owning actor ({@link MerkleTree#copy()} to hand it out). */
  public MerkleTree tree() {
    return tree;
  }

  /** The (key, version, tombstone) entries of the given tree leaves. */
  public List<LeafReconciliation.Entry> entriesInLeaves(Set<Integer> leaves) {
    List<LeafReconciliation.Entry> entries = new ArrayList<>();
    for (Record record : records.values()) {
      if (leaves.contains(tree.leafOf(record.key()))) {
        entries.add(new LeafReconciliation.Entry(record.key(), record.version().timestamp(),
            record.version().writer(), record.tombstone()));
      }
    }
    return entries;
  }

  public int size() {
    return records.size();
  }

  /** An immutable copy of every record, for a snapshot. */
  public PartitionSnapshot toSnapshot() {
    return new PartitionSnapshot(new ArrayList<>(records.values()));
  }

  /** Calls {@code action} for every record, in no particular order, without copying them. */
  public void forEachRecord(java.util.function.Consumer<Record> action) {
    records.values().forEach(action);
  }

  /** Every record, in no particular order; a copy. */
  public List<Record> records() {
    return List.copyOf(records.values());
  }
}
