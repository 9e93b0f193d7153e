package io.minidynamo.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.antientropy.TombstoneTracker.Tombstone;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TombstoneTrackerTest {
  private static final int LEAVES = 16;
  private static final long NO_CUTOFF = Long.MAX_VALUE;
  /** Keys "k<i>" fall in leaf i % 16: tests choose leaves by key. */
  private final TombstoneTracker tracker = new TombstoneTracker(List.of("b", "c"), LEAVES,
      key -> Integer.parseInt(key.substring(1)) % LEAVES);

  @Test
  void heldByAll_noExchangeYet_false() {
    tracker.applied(dead("k1", 10));
    assertFalse(tracker.heldByAll("k1", v(10)));
    assertEquals(List.of(), tracker.purgeable(NO_CUTOFF, 100));
  }

  @Test
  void heldByAll_bothPeersInSync_true() {
    tracker.applied(dead("k1", 10));
    long stamp = tracker.stamp();
    tracker.peerSynced("b", stamp, List.of());
    assertFalse(tracker.heldByAll("k1", v(10)), "c not known yet");
    tracker.peerSynced("c", stamp, List.of());
    assertTrue(tracker.heldByAll("k1", v(10)));
    assertEquals(List.of(new Tombstone("k1", v(10))), tracker.purgeable(NO_CUTOFF, 100));
  }

  @Test
  void heldByAll_tombstoneAppliedAfterTheTreeCopy_notLearned() {
    long stamp = tracker.stamp();
    tracker.applied(dead("k1", 10)); // landed after the copy the exchange compared
    tracker.peerSynced("b", stamp, List.of());
    tracker.peerSynced("c", stamp, List.of());
    assertFalse(tracker.heldByAll("k1", v(10)));
  }

  @Test
  void heldByAll_leafDiffered_notLearnedFromTheLeaf() {
    tracker.applied(dead("k1", 10));
    tracker.applied(dead("k2", 10));
    long stamp = tracker.stamp();
    tracker.peerSynced("b", stamp, List.of(1));
    tracker.peerSynced("c", stamp, List.of());
    assertFalse(tracker.heldByAll("k1", v(10)), "leaf 1 differed on b");
    assertTrue(tracker.heldByAll("k2", v(10)));
  }

  @Test
  void heldByAll_entryComparedInADifferingLeaf_learned() {
    tracker.applied(dead("k1", 10));
    long stamp = tracker.stamp();
    tracker.peerSynced("b", stamp, List.of(1));
    tracker.peerHolds("b", "k1", v(10));
    tracker.peerSynced("c", stamp, List.of());
    assertTrue(tracker.heldByAll("k1", v(10)));
  }

  @Test
  void heldByAll_peerHoldsAnotherVersion_notLearned() {
    tracker.applied(dead("k1", 10));
    tracker.peerHolds("b", "k1", v(9));
    tracker.peerHolds("c", "k1", v(10));
    assertFalse(tracker.heldByAll("k1", v(10)));
  }

  @Test
  void applied_newerVersion_forgetsWhatWasKnown() {
    tracker.applied(dead("k1", 10));
    long stamp = tracker.stamp();
    tracker.peerSynced("b", stamp, List.of());
    tracker.peerSynced("c", stamp, List.of());
    tracker.applied(dead("k1", 20));
    assertFalse(tracker.heldByAll("k1", v(20)));
    assertFalse(tracker.heldByAll("k1", v(10)));
    tracker.applied(Record.put("k1", new byte[] {1}, v(30)));
    assertEquals(0, tracker.size(), "a live value is no tombstone");
  }

  @Test
  void track_sameVersion_keepsKnowledge_otherVersion_restarts() {
    tracker.applied(dead("k1", 10));
    long stamp = tracker.stamp();
    tracker.peerSynced("b", stamp, List.of());
    tracker.peerSynced("c", stamp, List.of());
    tracker.track(dead("k1", 10));
    assertTrue(tracker.heldByAll("k1", v(10)));
    tracker.track(dead("k1", 11));
    assertFalse(tracker.heldByAll("k1", v(11)));
    tracker.track(Record.put("k2", new byte[] {1}, v(5)));
    assertEquals(1, tracker.size());
  }

  @Test
  void purgeable_respectsTheCutoff() {
    tracker.applied(dead("k1", 10));
    tracker.applied(dead("k2", 20));
    allInSync();
    assertEquals(List.of(new Tombstone("k1", v(10))), tracker.purgeable(20, 100));
    assertEquals(List.of(), tracker.purgeable(10, 100));
  }

  @Test
  void purgeable_boundedPerCall_andEveryTombstoneReachedInTurn() {
    for (int i = 0; i < 10; i++) {
      tracker.applied(dead("k" + i, 100 + i));
    }
    allInSync();
    Set<String> seen = new HashSet<>();
    for (int call = 0; call < 4; call++) {
      List<Tombstone> batch = tracker.purgeable(NO_CUTOFF, 3);
      assertTrue(batch.size() <= 3, batch.toString());
      batch.forEach(t -> seen.add(t.key()));
    }
    assertEquals(10, seen.size(), seen.toString());
  }

  /** An old tombstone a peer lacks must not stall the purge of the ones behind it. */
  @Test
  void purgeable_unpurgeableOldest_doesNotBlockTheRest() {
    tracker.applied(dead("k1", 10)); // leaf 1: differs on c, stays
    for (int i = 2; i < 8; i++) {
      tracker.applied(dead("k" + i, 10 + i));
    }
    long stamp = tracker.stamp();
    tracker.peerSynced("b", stamp, List.of());
    tracker.peerSynced("c", stamp, List.of(1));
    List<String> purged = new ArrayList<>();
    for (int call = 0; call < 5; call++) {
      for (Tombstone t : tracker.purgeable(NO_CUTOFF, 2)) {
        purged.add(t.key());
        tracker.purged(t.key());
      }
    }
    assertEquals(List.of("k2", "k3", "k4", "k5", "k6", "k7"), purged);
    assertEquals(1, tracker.size());
  }

  @Test
  void peerSynced_unknownPeer_ignored() {
    tracker.applied(dead("k1", 10));
    tracker.peerSynced("z", tracker.stamp(), List.of());
    tracker.peerHolds("z", "k1", v(10));
    assertFalse(tracker.heldByAll("k1", v(10)));
  }

  @Test
  void noPeers_heldByAllAtOnce() {
    TombstoneTracker single = new TombstoneTracker(List.of(), LEAVES, key -> 0);
    single.applied(dead("k1", 10));
    assertTrue(single.heldByAll("k1", v(10)));
  }

  private void allInSync() {
    long stamp = tracker.stamp();
    tracker.peerSynced("b", stamp, List.of());
    tracker.peerSynced("c", stamp, List.of());
  }

  private static Record dead(String key, long timestamp) {
    return Record.tombstone(key, v(timestamp));
  }

  private static Version v(long timestamp) {
    return new Version(timestamp, "n1");
  }
}
