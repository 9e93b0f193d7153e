package io.minidynamo.antientropy;

import io.minidynamo.versioning.Occurred;
import io.minidynamo.versioning.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What to send and what to fetch, given both sides' entries of the differing leaves: the last, pure
 * step of an anti-entropy exchange.
 *
 * <p>Invariants of a {@link Plan}: a key is in at most one of push and pull; push holds keys the remote
 * lacks or holds an older version of, pull the converse; keys with the same version on both sides are
 * in neither; both lists are sorted by key and together hold at most {@code limit} keys, the smallest
 * keys that need work, so the same inputs (in any order) give the same plan.
 */
public final class LeafReconciliation {

  private LeafReconciliation() {}

  /**
   * A replica's view of one key: its version and tombstone flag (no value bytes). {@code settled}:
   * a tombstone this replica knows every other replica of the partition has held
   * ({@link TombstoneTracker#heldByAll}); a replica that lacks the key has then purged it.
   */
  public record Entry(String key, long timestamp, String writer, boolean tombstone, boolean settled) {
    public Entry {
      if (key == null || writer == null) {
        throw new IllegalArgumentException("key and writer are required");
      }
    }

    public Entry(String key, long timestamp, String writer, boolean tombstone) {
      this(key, timestamp, writer, tombstone, false);
    }

    /** The same entry with the settled flag set as given. */
    public Entry withSettled(boolean isSettled) {
      return new Entry(key, timestamp, writer, tombstone, isSettled);
    }

    public Version version() {
      return new Version(timestamp, writer);
    }
  }

  /** Keys local is newer on (or remote lacks), and keys remote is newer on (or local lacks). */
  public record Plan(List<String> push, List<String> pull) {
    public Plan {
      push = List.copyOf(push);
      pull = List.copyOf(pull);
    }

    public boolean isEmpty() {
      return push.isEmpty() && pull.isEmpty();
    }
  }

  /**
   * LWW compare per key (higher timestamp wins, writer id breaks ties, as {@link Version#compare});
   * equal versions need nothing. At most {@code limit} keys in push and pull together, taken in key
   * order, so work per exchange is bounded and the keys left over are picked up by a later exchange.
   *
   * <p>A settled tombstone on one side with nothing on the other needs nothing: the other side held
   * it and purged it, and copying it back would only have to be purged again (the tombstone is not a
   * value; a key absent everywhere reads as deleted just the same).
   *
   * @throws IllegalArgumentException when {@code limit} is negative or a side lists a key twice
   */
  public static Plan plan(List<Entry> local, List<Entry> remote, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, got " + limit);
    }
    SortedMap<String, Entry> mine = byKey(local, "local");
    SortedMap<String, Entry> theirs = byKey(remote, "remote");
    TreeSet<String> keys = new TreeSet<>(mine.keySet());
    keys.addAll(theirs.keySet());
    List<String> push = new ArrayList<>();
    List<String> pull = new ArrayList<>();
    for (String key : keys) {
      if (push.size() + pull.size() >= limit) {
        break;
      }
      Occurred localVersus = compare(mine.get(key), theirs.get(key));
      if (localVersus == Occurred.AFTER) {
        push.add(key);
      } else if (localVersus == Occurred.BEFORE) {
        pull.add(key);
      }
    }
    return new Plan(push, pull);
  }

  /** How the local entry relates to the remote one; a missing entry is older than any present one. */
  private static Occurred compare(Entry mine, Entry theirs) {
    if (theirs == null) {
      return mine.settled() ? Occurred.SAME : Occurred.AFTER;
    }
    if (mine == null) {
      return theirs.settled() ? Occurred.SAME : Occurred.BEFORE;
    }
    return mine.version().compare(theirs.version());
  }

  /**
   * The tombstones both sides hold at the same version, sorted by key: what an exchange teaches the
   * local {@link TombstoneTracker} about the peer inside the differing leaves.
   */
  public static List<Entry> commonTombstones(List<Entry> local, List<Entry> remote) {
    SortedMap<String, Entry> theirs = byKey(remote, "remote");
    List<Entry> common = new ArrayList<>();
    for (Entry mine : byKey(local, "local").values()) {
      Entry other = theirs.get(mine.key());
      if (mine.tombstone() && other != null && other.tombstone()
          && mine.version().compare(other.version()) == Occurred.SAME) {
        common.add(mine);
      }
    }
    return common;
  }

  private static SortedMap<String, Entry> byKey(List<Entry> entries, String side) {
    SortedMap<String, Entry> map = new TreeMap<>();
    for (Entry entry : entries) {
      if (map.putIfAbsent(entry.key(), entry) != null) {
        throw new IllegalArgumentException(side + " lists key " + entry.key() + " twice");
      }
    }
    return map;
  }
}
