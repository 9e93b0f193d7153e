package io.minidynamo.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.antientropy.LeafReconciliation.Entry;
import io.minidynamo.antientropy.LeafReconciliation.Plan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LeafReconciliationTest {
  private static final int NO_LIMIT = Integer.MAX_VALUE;

  @Test
  void plan_localNewer_push() {
    Plan plan = LeafReconciliation.plan(
        List.of(live("a", 20, "n1")), List.of(live("a", 10, "n1")), NO_LIMIT);
    assertEquals(new Plan(List.of("a"), List.of()), plan);
  }

  @Test
  void plan_remoteNewer_pull() {
    Plan plan = LeafReconciliation.plan(
        List.of(live("a", 10, "n9")), List.of(live("a", 11, "n1")), NO_LIMIT);
    assertEquals(new Plan(List.of(), List.of("a")), plan);
  }

  @Test
  void plan_sameVersion_nothing() {
    Plan plan = LeafReconciliation.plan(
        List.of(live("a", 10, "n1"), dead("b", 7, "n2")),
        List.of(live("a", 10, "n1"), dead("b", 7, "n2")), NO_LIMIT);
    assertTrue(plan.isEmpty(), plan.toString());
  }

  @Test
  void plan_newerTombstone_pushedOrPulledLikeAWrite() {
    Plan plan = LeafReconciliation.plan(
        List.of(dead("a", 20, "n1"), live("b", 20, "n1")),
        List.of(live("a", 10, "n1"), dead("b", 30, "n2")), NO_LIMIT);
    assertEquals(new Plan(List.of("a"), List.of("b")), plan);
  }

  @Test
  void plan_olderTombstone_losesToNewerWrite() {
    Plan plan = LeafReconciliation.plan(
        List.of(dead("a", 10, "n1")), List.of(live("a", 20, "n2")), NO_LIMIT);
    assertEquals(new Plan(List.of(), List.of("a")), plan);
  }

  @Test
  void plan_sameTimestamp_higherWriterWins() {
    Plan plan = LeafReconciliation.plan(
        List.of(live("a", 10, "n2"), live("b", 10, "n1")),
        List.of(live("a", 10, "n1"), live("b", 10, "n2")), NO_LIMIT);
    assertEquals(new Plan(List.of("a"), List.of("b")), plan);
  }

  @Test
  void plan_keyOnOneSideOnly_pushedOrPulled() {
    Plan plan = LeafReconciliation.plan(
        List.of(live("mine", 1, "n1"), dead("mine-deleted", 1, "n1")),
        List.of(live("theirs", 1, "n2"), dead("theirs-deleted", 1, "n2")), NO_LIMIT);
    assertEquals(
        new Plan(List.of("mine", "mine-deleted"), List.of("theirs", "theirs-deleted")), plan);
  }

  @Test
  void plan_bothEmpty_nothing() {
    assertTrue(LeafReconciliation.plan(List.of(), List.of(), NO_LIMIT).isEmpty());
  }

  @Test
  void plan_moreWorkThanLimit_smallestKeysUpToLimit() {
    List<Entry> local = new ArrayList<>();
    List<Entry> remote = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String key = "k" + i;
      (i % 2 == 0 ? local : remote).add(live(key, 1, "n1"));
    }
    local.add(live("a-synced", 5, "n1"));
    remote.add(live("a-synced", 5, "n1"));

    Plan plan = LeafReconciliation.plan(local, remote, 5);

    assertEquals(new Plan(List.of("k0", "k2", "k4"), List.of("k1", "k3")), plan);
  }

  @Test
  void plan_limitZero_nothing() {
    Plan plan = LeafReconciliation.plan(List.of(live("a", 1, "n1")), List.of(), 0);
    assertTrue(plan.isEmpty());
  }

  @Test
  void plan_shuffledInputs_samePlan() {
    Random random = new Random(3);
    List<Entry> local = new ArrayList<>();
    List<Entry> remote = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String key = "key-" + i;
      if (random.nextInt(4) > 0) {
        local.add(live(key, random.nextInt(5), "n" + random.nextInt(2)));
      }
      if (random.nextInt(4) > 0) {
        remote.add(random.nextBoolean()
            ? live(key, random.nextInt(5), "n" + random.nextInt(2))
            : dead(key, random.nextInt(5), "n" + random.nextInt(2)));
      }
    }
    Plan expected = LeafReconciliation.plan(local, remote, 40);

    for (int round = 0; round < 5; round++) {
      Collections.shuffle(local, random);
      Collections.shuffle(remote, random);
      assertEquals(expected, LeafReconciliation.plan(local, remote, 40));
    }
    assertEquals(40, expected.push().size() + expected.pull().size());
    assertSorted(expected.push());
    assertSorted(expected.pull());
  }

  @Test
  void plan_keyListedTwiceOnOneSide_throws() {
    List<Entry> twice = List.of(live("a", 1, "n1"), live("a", 2, "n1"));
    assertThrows(IllegalArgumentException.class,
        () -> LeafReconciliation.plan(twice, List.of(), NO_LIMIT));
    assertThrows(IllegalArgumentException.class,
        () -> LeafReconciliation.plan(List.of(), twice, NO_LIMIT));
  }

  @Test
  void plan_negativeLimit_throws() {
    assertThrows(IllegalArgumentException.class,
        () -> LeafReconciliation.plan(List.of(), List.of(), -1));
  }

  @Test
  void plan_settledTombstoneAgainstAbsentKey_isNotCopiedBack() {
    Entry settled = dead("gone", 10, "n1").withSettled(true);
    assertTrue(LeafReconciliation.plan(List.of(settled), List.of(), NO_LIMIT).isEmpty());
    assertTrue(LeafReconciliation.plan(List.of(), List.of(settled), NO_LIMIT).isEmpty());
  }

  @Test
  void plan_unsettledTombstoneAgainstAbsentKey_isCopied() {
    Entry tombstone = dead("gone", 10, "n1");
    assertEquals(new Plan(List.of("gone"), List.of()),
        LeafReconciliation.plan(List.of(tombstone), List.of(), NO_LIMIT));
    assertEquals(new Plan(List.of(), List.of("gone")),
        LeafReconciliation.plan(List.of(), List.of(tombstone), NO_LIMIT));
  }

  /** A settled flag never stops a tombstone from replacing an older live value (no resurrection). */
  @Test
  void plan_settledTombstoneAgainstOlderValue_stillWins() {
    Entry settled = dead("k", 20, "n1").withSettled(true);
    assertEquals(new Plan(List.of("k"), List.of()),
        LeafReconciliation.plan(List.of(settled), List.of(live("k", 10, "n2")), NO_LIMIT));
    assertEquals(new Plan(List.of(), List.of("k")),
        LeafReconciliation.plan(List.of(live("k", 10, "n2")), List.of(settled), NO_LIMIT));
  }

  @Test
  void commonTombstones_sameVersionOnBothSides_only() {
    List<Entry> local = List.of(dead("a", 10, "n1"), dead("b", 10, "n1"), live("c", 10, "n1"),
        dead("d", 10, "n1"));
    List<Entry> remote = List.of(dead("a", 10, "n1"), dead("b", 11, "n1"), live("c", 10, "n1"),
        dead("e", 10, "n1"));
    assertEquals(List.of(dead("a", 10, "n1")), LeafReconciliation.commonTombstones(local, remote));
  }

  private static Entry live(String key, long timestamp, String writer) {
    return new Entry(key, timestamp, writer, false);
  }

  private static Entry dead(String key, long timestamp, String writer) {
    return new Entry(key, timestamp, writer, true);
  }

  private static void assertSorted(List<String> keys) {
    List<String> sorted = new ArrayList<>(keys);
    Collections.sort(sorted);
    assertEquals(sorted, keys);
  }
}
