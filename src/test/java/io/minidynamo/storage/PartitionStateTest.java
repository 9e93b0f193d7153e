package io.minidynamo.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.antientropy.LeafReconciliation;
import io.minidynamo.antientropy.MerkleTree;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The LWW merge of {@link PartitionState} is order-independent, and its snapshot round-trips. */
class PartitionStateTest {

  /** Three keys, each written several times, with tombstones, ties broken by writer. */
  private static List<Record> history() {
    return List.of(
        put("a", "a1", 10, "n1"),
        put("a", "a2", 20, "n2"),
        Record.tombstone("a", new Version(30, "n1")),
        put("b", "b1", 10, "n1"),
        put("b", "b2", 10, "n3"), // same timestamp: n3 wins
        put("b", "b0", 5, "n2"),
        Record.tombstone("c", new Version(1, "n1")),
        put("c", "c1", 2, "n2"),
        put("c", "c-old", 0, "n3"));
  }

  private static Set<Record> expectedFinal() {
    return Set.of(
        Record.tombstone("a", new Version(30, "n1")),
        put("b", "b2", 10, "n3"),
        put("c", "c1", 2, "n2"));
  }

  @Test
  void apply_allPermutationsOfAPrefix_giveTheSameState() {
    // Every order of the first 7 records (5040 permutations), the rest appended.
    List<Record> records = history();
    List<Record> head = new ArrayList<>(records.subList(0, 7));
    Set<Set<Record>> outcomes = new HashSet<>();
    permute(head, 0, order -> {
      PartitionState state = new PartitionState();
      order.forEach(state::apply);
      records.subList(7, records.size()).forEach(state::apply);
      outcomes.add(Set.copyOf(state.records()));
    });
    assertEquals(Set.of(expectedFinal()), outcomes);
  }

  @Test
  void apply_shuffledOrders_giveTheNewestPerKey() {
    Random random = new Random(42);
    for (int round = 0; round < 500; round++) {
      List<Record> shuffled = new ArrayList<>(history());
      Collections.shuffle(shuffled, random);
      PartitionState state = new PartitionState();
      shuffled.forEach(state::apply);
      assertEquals(expectedFinal(), Set.copyOf(state.records()), "order " + shuffled);
      assertEquals(3, state.size());
    }
  }

  @Test
  void apply_reportsWhetherTheRecordReplacedTheStoredOne() {
    PartitionState state = new PartitionState();
    assertTrue(state.apply(put("k", "v1", 10, "n1")));
    assertFalse(state.apply(put("k", "v0", 5, "n1")));
    assertFalse(state.apply(put("k", "v1", 10, "n1")));
    assertTrue(state.apply(Record.tombstone("k", new Version(11, "n1"))));
    assertTrue(state.get("k").tombstone());
  }

  @Test
  void get_unknownKey_isNull() {
    assertNull(new PartitionState().get("missing"));
  }

  @Test
  void fromSnapshot_ofToSnapshot_holdsTheSameRecords() {
    PartitionState state = new PartitionState();
    history().forEach(state::apply);
    PartitionState restored = PartitionState.fromSnapshot(state.toSnapshot());
    assertEquals(Set.copyOf(state.records()), Set.copyOf(restored.records()));
    for (Record record : state.records()) {
      assertEquals(record, restored.get(record.key()));
    }
  }

  @Test
  void toSnapshot_isACopyUnaffectedByLaterWrites() {
    PartitionState state = new PartitionState();
    state.apply(put("k", "v1", 10, "n1"));
    PartitionSnapshot snapshot = state.toSnapshot();
    state.apply(put("k", "v2", 20, "n1"));
    state.apply(put("other", "x", 1, "n1"));
    assertEquals(List.of(put("k", "v1", 10, "n1")), snapshot.records());
    assertThrows(UnsupportedOperationException.class, () -> snapshot.records().add(null));
  }

  @Test
  void fromSnapshot_emptySnapshot_isEmpty() {
    assertEquals(0, PartitionState.fromSnapshot(new PartitionSnapshot(List.of())).size());
  }

  @Test
  void tree_emptyState_hasRootZero() {
    assertEquals(0, new PartitionState().tree().root());
    assertEquals(PartitionState.TREE_DEPTH, new PartitionState().tree().depth());
  }

  @Test
  void tree_afterAppliesInAnyOrder_equalsTheTreeRebuiltFromTheSnapshot() {
    Random random = new Random(11);
    PartitionState reference = new PartitionState();
    history().forEach(reference::apply);
    long expectedRoot = PartitionState.fromSnapshot(reference.toSnapshot()).tree().root();
    for (int round = 0; round < 200; round++) {
      List<Record> shuffled = new ArrayList<>(history());
      Collections.shuffle(shuffled, random);
      PartitionState state = new PartitionState();
      shuffled.forEach(state::apply);
      PartitionState rebuilt = PartitionState.fromSnapshot(state.toSnapshot());
      assertTreesEqual(rebuilt.tree(), state.tree());
      assertEquals(expectedRoot, state.tree().root(), "order " + shuffled);
      assertEquals(3, state.tree().entryCount());
    }
  }

  @Test
  void tree_manyKeysOverwrittenAndDeleted_equalsTheTreeOfOnlyTheFinalRecords() {
    Random random = new Random(3);
    PartitionState state = new PartitionState();
    for (int i = 0; i < 2_000; i++) {
      String key = "key-" + random.nextInt(300);
      long timestamp = random.nextInt(50);
      String writer = "n" + random.nextInt(3);
      state.apply(random.nextInt(5) == 0
          ? Record.tombstone(key, new Version(timestamp, writer))
          : put(key, "v" + i, timestamp, writer));
    }
    PartitionState onlyFinal = new PartitionState();
    state.records().forEach(onlyFinal::apply);
    assertTreesEqual(onlyFinal.tree(), state.tree());
    assertEquals(state.size(), state.tree().entryCount());
  }

  @Test
  void tree_newerVersionOrTombstone_changesTheRoot_olderVersionDoesNot() {
    PartitionState state = new PartitionState();
    state.apply(put("k", "v1", 10, "n1"));
    long afterFirst = state.tree().root();
    state.apply(put("k", "v0", 5, "n1"));
    assertEquals(afterFirst, state.tree().root());
    state.apply(Record.tombstone("k", new Version(11, "n1")));
    long afterTombstone = state.tree().root();
    assertTrue(afterTombstone != afterFirst);
    state.apply(put("k", "v2", 12, "n1"));
    assertTrue(state.tree().root() != afterTombstone);
    assertEquals(1, state.tree().entryCount());
  }

  @Test
  void tree_sameKeysDifferentVersions_differ() {
    PartitionState a = new PartitionState();
    PartitionState b = new PartitionState();
    a.apply(put("k", "v", 10, "n1"));
    b.apply(put("k", "v", 10, "n2")); // same timestamp, other writer
    assertTrue(a.tree().root() != b.tree().root());
  }

  @Test
  void entriesInLeaves_givesExactlyTheKeysOfThoseLeavesWithVersionAndTombstone() {
    PartitionState state = new PartitionState();
    history().forEach(state::apply);
    for (int i = 0; i < 50; i++) {
      state.apply(put("extra-" + i, "x", 1, "n1"));
    }
    MerkleTree tree = state.tree();
    Set<Integer> leaves = Set.of(tree.leafOf("a"), tree.leafOf("b"));
    List<LeafReconciliation.Entry> entries = state.entriesInLeaves(leaves);
    Set<String> expectedKeys = new HashSet<>();
    for (Record record : state.records()) {
      if (leaves.contains(tree.leafOf(record.key()))) {
        expectedKeys.add(record.key());
      }
    }
    Set<String> keys = new HashSet<>();
    entries.forEach(entry -> keys.add(entry.key()));
    assertEquals(expectedKeys, keys);
    assertEquals(expectedKeys.size(), entries.size());
    assertTrue(entries.contains(new LeafReconciliation.Entry("a", 30, "n1", true)));
    assertTrue(entries.contains(new LeafReconciliation.Entry("b", 10, "n3", false)));
    assertEquals(List.of(), state.entriesInLeaves(Set.of()));
  }

  private static void assertTreesEqual(MerkleTree expected, MerkleTree actual) {
    assertEquals(expected.depth(), actual.depth());
    for (int level = 0; level <= expected.depth(); level++) {
      for (int index = 0; index < 1 << level; index++) {
        if (expected.hash(level, index) != actual.hash(level, index)) {
          assertEquals(expected.hash(level, index), actual.hash(level, index),
              "level " + level + " index " + index);
        }
      }
    }
    assertEquals(expected.entryCount(), actual.entryCount());
  }

  private static void permute(
      List<Record> items, int from, java.util.function.Consumer<List<Record>> visit) {
    if (from == items.size()) {
      visit.accept(items);
      return;
    }
    for (int i = from; i < items.size(); i++) {
      Collections.swap(items, from, i);
      permute(items, from + 1, visit);
      Collections.swap(items, from, i);
    }
  }

  private static Record put(String key, String value, long timestamp, String writer) {
    return Record.put(key, value.getBytes(StandardCharsets.UTF_8), new Version(timestamp, writer));
  }
}
