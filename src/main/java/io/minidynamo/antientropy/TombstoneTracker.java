package io.minidynamo.antientropy;

import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.function.ToIntFunction;

/**
 * What one replica partition knows about which other replicas hold each of its tombstones, learned
 * through anti-entropy, and which tombstones may therefore be purged. Pure and mutable, confined to
 * the actor that owns the partition; nothing in it is persisted (it is relearned after a restart).
 *
 * <p>How a peer becomes a known holder of a tombstone:
 * <ul>
 *   <li>Every {@link #applied applied} record gets the next <em>stamp</em>; the Merkle tree copy an
 *       exchange compares is taken at some stamp {@link #stamp()}. When the exchange with a peer ends
 *       with a set of differing leaves, every other leaf of the copy was, at some moment during the
 *       exchange, equal on the peer: the peer then held exactly the entries this replica held at the
 *       copy's stamp. {@link #peerSynced} records, per peer and leaf, the newest stamp so confirmed; a
 *       tombstone applied at or before it (and not replaced since — a newer apply re-stamps or drops
 *       it) is held by that peer.
 *   <li>Inside the differing leaves the exchange compares entries one by one; a tombstone with the
 *       same version on both sides is recorded for that peer alone by {@link #peerHolds}.
 * </ul>
 * "Held" means held at some moment: a holder may since have purged the tombstone, never gone back to
 * an older version, because a replica's record of a key only ever moves to a newer version or is
 * purged. Equal hashes are taken as equal entries (64-bit hashes; as in Riak's and Cassandra's trees).
 *
 * <p>Invariants: a tombstone is {@link #heldByAll held by all} only when every peer given at
 * construction is a known holder of that exact version; {@link #purgeable} returns only such
 * tombstones whose timestamp is below the cutoff, and examines at most {@code maxExamined} tombstones
 * per call, continuing where the previous call stopped.
 */
public final class TombstoneTracker {

  private static final Comparator<Tracked> BY_AGE =
      Comparator.comparingLong((Tracked t) -> t.version.timestamp()).thenComparing(t -> t.key);

  private static final class Tracked {
    final String key;
    final Version version;
    final long stamp;
    final int leaf;
    /** Bit i: peer i seen holding it inside a differing leaf. */
    int holders;

    Tracked(String key, Version version, long stamp, int leaf) {
      this.key = key;
      this.version = version;
      this.stamp = stamp;
      this.leaf = leaf;
    }
  }

  private final List<String> peers;
  private final ToIntFunction<String> leafOf;
  /** Per peer, per leaf: the newest tree stamp at which the peer's leaf equalled ours. */
  private final long[][] leafSynced;
  private final Map<String, Tracked> byKey = new HashMap<>();
  private final NavigableSet<Tracked> byAge = new TreeSet<>(BY_AGE);
  private long stamp;
  /** The oldest tombstone the next {@link #purgeable} call examines first. */
  private Tracked cursor;

  /**
   * @param peers the other replicas of the partition (the preference list without this node)
   * @param leafCount leaves of the partition's Merkle tree
   * @param leafOf the leaf a key falls in
   */
  public TombstoneTracker(List<String> peers, int leafCount, ToIntFunction<String> leafOf) {
    if (peers.size() > 31) {
      throw new IllegalArgumentException("at most 31 peers, got " + peers.size());
    }
    this.peers = List.copyOf(peers);
    this.leafOf = leafOf;
    this.leafSynced = new long[peers.size()][leafCount];
    for (long[] leaves : leafSynced) {
      Arrays.fill(leaves, -1);
    }
  }

  /** The stamp of the last applied record: a tree copy taken now reflects every apply up to it. */
  public long stamp() {
    return stamp;
  }

  /** A record replaced the partition's entry for its key (recovery replays count too). */
  public void applied(Record record) {
    stamp++;
    forget(record.key());
    if (record.tombstone()) {
      Tracked tracked = new Tracked(record.key(), record.version(), stamp, leafOf.applyAsInt(record.key()));
      byKey.put(record.key(), tracked);
      byAge.add(tracked);
    }
  }

  /**
   * Makes sure a stored record is tracked if it is a tombstone (after recovery, when the state came
   * from a snapshot rather than through {@link #applied}); a tombstone already tracked at the same
   * version keeps what is known about it.
   */
  public void track(Record record) {
    Tracked tracked = byKey.get(record.key());
    if (record.tombstone() && (tracked == null || !tracked.version.equals(record.version()))) {
      applied(record);
    }
  }

  /** The tombstone of {@code key} was purged from the partition. */
  public void purged(String key) {
    forget(key);
  }

  private void forget(String key) {
    Tracked old = byKey.remove(key);
    if (old != null) {
      byAge.remove(old);
      if (cursor == old) {
        cursor = byAge.higher(old);
      }
    }
  }

  /**
   * An exchange with {@code peer} compared the tree copy taken at {@code treeStamp} and found
   * exactly {@code differingLeaves} different: every other leaf was equal on the peer.
   */
  public void peerSynced(String peer, long treeStamp, java.util.Collection<Integer> differingLeaves) {
    int p = peerIndex(peer);
    if (p < 0) {
      return;
    }
    boolean[] differs = new boolean[leafSynced[p].length];
    for (int leaf : differingLeaves) {
      if (leaf >= 0 && leaf < differs.length) {
        differs[leaf] = true;
      }
    }
    long[] leaves = leafSynced[p];
    for (int leaf = 0; leaf < leaves.length; leaf++) {
      if (!differs[leaf] && leaves[leaf] < treeStamp) {
        leaves[leaf] = treeStamp;
      }
    }
  }

  /** {@code peer} was seen holding the tombstone of {@code key} at {@code version}. */
  public void peerHolds(String peer, String key, Version version) {
    int p = peerIndex(peer);
    Tracked tracked = byKey.get(key);
    if (p >= 0 && tracked != null && tracked.version.equals(version)) {
      tracked.holders |= 1 << p;
    }
  }

  /** Whether {@code key}'s current entry is a tombstone at {@code version} that every peer holds. */
  public boolean heldByAll(String key, Version version) {
    Tracked tracked = byKey.get(key);
    return tracked != null && tracked.version.equals(version) && heldByAll(tracked);
  }

  private boolean heldByAll(Tracked tracked) {
    for (int p = 0; p < peers.size(); p++) {
      boolean held = (tracked.holders & (1 << p)) != 0 || tracked.stamp <= leafSynced[p][tracked.leaf];
      if (!held) {
        return false;
      }
    }
    return true;
  }

  /**
   * Tombstones to purge now: held by every peer, with a version timestamp strictly below
   * {@code cutoffTimestamp}. Examines at most {@code maxExamined} tombstones below the cutoff,
   * oldest first from where the previous call stopped (wrapping around), so one call is bounded and
   * a tombstone that cannot be purged yet does not block the ones behind it. Does not remove them:
   * the owner purges each and calls {@link #purged}.
   */
  public List<Tombstone> purgeable(long cutoffTimestamp, int maxExamined) {
    List<Tombstone> result = new ArrayList<>();
    if (byAge.isEmpty() || maxExamined < 1 || byAge.first().version.timestamp() >= cutoffTimestamp) {
      return result;
    }
    Tracked first = byAge.first();
    Tracked start = cursor != null && cursor.version.timestamp() < cutoffTimestamp ? cursor : first;
    boolean wrapped = start == first;
    Tracked next = start;
    int examined = 0;
    while (examined < maxExamined) {
      if (next == null || next.version.timestamp() >= cutoffTimestamp) {
        if (wrapped) {
          next = null;
          break;
        }
        wrapped = true;
        next = first;
      }
      if (wrapped && next == start && examined > 0) {
        break; // every tombstone below the cutoff examined once
      }
      if (heldByAll(next)) {
        result.add(new Tombstone(next.key, next.version));
      }
      examined++;
      next = byAge.higher(next);
    }
    cursor = next;
    return result;
  }

  /** Tombstones held by this partition (each one still to be purged). */
  public int size() {
    return byKey.size();
  }

  private int peerIndex(String peer) {
    return peers.indexOf(peer);
  }

  /** A tombstone's identity: the key and the exact version purged. */
  public record Tombstone(String key, Version version) {}
}
