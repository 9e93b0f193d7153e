package io.minidynamo.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.ring.Murmur3;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MerkleTreeTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 10})
  void add_randomUpdatesInAnyOrder_equalsRebuildFromFinalEntries(int depth) {
    Random random = new Random(42 + depth);
    MerkleTree incremental = new MerkleTree(depth);
    Map<String, Long> live = new HashMap<>();
    for (int step = 0; step < 5_000; step++) {
      String key = "k" + random.nextInt(800);
      long hash = MerkleTree.entryHash(key, random.nextLong(), "n" + random.nextInt(3), random.nextBoolean());
      Long old = live.get(key);
      int op = random.nextInt(4);
      if (old == null) {
        incremental.add(key, hash);
        live.put(key, hash);
      } else if (op == 0) {
        incremental.remove(key, old);
        live.remove(key);
      } else {
        incremental.replace(key, old, hash);
        live.put(key, hash);
      }
    }

    List<Map.Entry<String, Long>> shuffled = new ArrayList<>(live.entrySet());
    Collections.shuffle(shuffled, new Random(7));
    MerkleTree rebuilt = new MerkleTree(depth);
    shuffled.forEach(e -> rebuilt.add(e.getKey(), e.getValue()));

    assertTrue(live.size() > 100, "the sequence should leave a sizeable entry set");
    assertEquals(live.size(), incremental.entryCount());
    assertEquals(rebuilt.entryCount(), incremental.entryCount());
    assertNotEquals(0L, incremental.root());
    assertSameNodes(rebuilt, incremental);
  }

  @Test
  void root_emptyTrees_zeroAndEqual() {
    MerkleTree a = new MerkleTree(8);
    MerkleTree b = new MerkleTree(8);
    assertEquals(0L, a.root());
    assertSameNodes(a, b);
    assertEquals(0, a.entryCount());
  }

  @Test
  void add_oneDifferingEntry_changesRootAndExactlyOneLeaf() {
    MerkleTree a = treeOf(8, 500);
    MerkleTree b = treeOf(8, 500);
    String key = "extra";
    long hash = MerkleTree.entryHash(key, 1, "n1", false);

    b.add(key, hash);

    assertNotEquals(a.root(), b.root());
    List<Integer> differing = differingLeaves(a, b);
    assertEquals(List.of(b.leafOf(key)), differing);
  }

  @Test
  void remove_lastAddedEntry_restoresRootAndEveryNode() {
    MerkleTree a = treeOf(8, 500);
    MerkleTree b = treeOf(8, 500);
    long hash = MerkleTree.entryHash("extra", 1, "n1", false);
    b.add("extra", hash);

    b.remove("extra", hash);

    assertEquals(a.root(), b.root());
    assertSameNodes(a, b);
    assertEquals(a.entryCount(), b.entryCount());
  }

  @Test
  void remove_everyEntry_rootBackToZero() {
    MerkleTree tree = new MerkleTree(6);
    for (int i = 0; i < 100; i++) {
      tree.add("k" + i, entryHash(i));
    }
    for (int i = 99; i >= 0; i--) {
      tree.remove("k" + i, entryHash(i));
    }
    assertEquals(0L, tree.root());
    assertEquals(0, tree.entryCount());
  }

  @Test
  void remove_emptyTree_throws() {
    MerkleTree tree = new MerkleTree(4);
    assertThrows(IllegalStateException.class, () -> tree.remove("k", 1L));
    assertThrows(IllegalStateException.class, () -> tree.replace("k", 1L, 2L));
  }

  @Test
  void replace_newVersion_sameAsRemoveThenAdd() {
    MerkleTree replaced = treeOf(6, 50);
    MerkleTree removedAndAdded = treeOf(6, 50);
    long newer = MerkleTree.entryHash("k3", 99, "n2", true);

    replaced.replace("k3", entryHash(3), newer);
    removedAndAdded.remove("k3", entryHash(3));
    removedAndAdded.add("k3", newer);

    assertSameNodes(removedAndAdded, replaced);
    assertEquals(50, replaced.entryCount());
    assertNotEquals(treeOf(6, 50).root(), replaced.root());
  }

  @Test
  void root_sameHashInSwappedSiblingLeaves_differs() {
    MerkleTree left = new MerkleTree(1);
    MerkleTree right = new MerkleTree(1);
    String inLeaf0 = keyInLeaf(left, 0);
    String inLeaf1 = keyInLeaf(left, 1);

    left.add(inLeaf0, 12345L);
    right.add(inLeaf1, 12345L);

    assertNotEquals(left.root(), right.root(), "internal nodes must not be symmetric in their children");
  }

  @Test
  void leafOf_keysOfOneRingPartition_spreadEvenlyOverLeaves() {
    MerkleTree tree = new MerkleTree(10);
    int[] perLeaf = new int[tree.leafCount()];
    int kept = 0;
    for (int i = 0; kept < 50_000; i++) {
      String key = "user:" + i;
      // ring partition 0 of 64: the ring buckets by the top 6 bits of Murmur3 with seed 0
      if (Murmur3.hash64(key.getBytes(StandardCharsets.UTF_8), 0) >>> 58 == 0) {
        perLeaf[tree.leafOf(key)]++;
        kept++;
      }
    }
    double mean = (double) kept / perLeaf.length;
    int used = 0;
    int max = 0;
    for (int count : perLeaf) {
      used += count > 0 ? 1 : 0;
      max = Math.max(max, count);
    }
    assertTrue(used >= 0.99 * perLeaf.length, "leaves used: " + used);
    assertTrue(max <= 2 * mean, "fullest leaf " + max + " vs mean " + mean);
  }

  @Test
  void leafOf_anyKey_withinLeafRange() {
    MerkleTree tree = new MerkleTree(3);
    for (int i = 0; i < 1_000; i++) {
      int leaf = tree.leafOf("k" + i);
      assertTrue(leaf >= 0 && leaf < 8, "leaf " + leaf);
    }
  }

  @Test
  void entryHash_eachFieldChanged_differs() {
    long base = MerkleTree.entryHash("key", 100, "n1", false);
    assertEquals(base, MerkleTree.entryHash("key", 100, "n1", false));
    assertNotEquals(base, MerkleTree.entryHash("kez", 100, "n1", false));
    assertNotEquals(base, MerkleTree.entryHash("key", 101, "n1", false));
    assertNotEquals(base, MerkleTree.entryHash("key", 100, "n2", false));
    assertNotEquals(base, MerkleTree.entryHash("key", 100, "n1", true));
  }

  @Test
  void entryHash_fieldBoundaryShifted_differs() {
    assertNotEquals(
        MerkleTree.entryHash("ab", 1, "c", false), MerkleTree.entryHash("a", 1, "bc", false));
  }

  @Test
  void entryHash_consecutiveTimestamps_flipAboutHalfTheBits() {
    long flipped = 0;
    int samples = 2_000;
    for (int t = 0; t < samples; t++) {
      long a = MerkleTree.entryHash("key", t, "n1", false);
      long b = MerkleTree.entryHash("key", t + 1, "n1", false);
      flipped += Long.bitCount(a ^ b);
    }
    double average = (double) flipped / samples;
    assertTrue(average > 30 && average < 34, "average bits flipped: " + average);
  }

  @Test
  void hashes_severalIndexes_sameAsHashOfEach() {
    MerkleTree tree = treeOf(5, 200);
    int[] indexes = {7, 0, 31, 7};
    long[] hashes = tree.hashes(5, indexes);
    for (int i = 0; i < indexes.length; i++) {
      assertEquals(tree.hash(5, indexes[i]), hashes[i]);
    }
    assertEquals(tree.root(), tree.hash(0, 0));
  }

  @Test
  void hash_levelOrIndexOutOfRange_throws() {
    MerkleTree tree = new MerkleTree(4);
    assertThrows(IndexOutOfBoundsException.class, () -> tree.hash(5, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> tree.hash(-1, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> tree.hash(2, 4));
    assertThrows(IndexOutOfBoundsException.class, () -> tree.hashes(4, new int[] {0, 16}));
  }

  @Test
  void constructor_depthOutOfRange_throws() {
    assertThrows(IllegalArgumentException.class, () -> new MerkleTree(0));
    assertThrows(IllegalArgumentException.class, () -> new MerkleTree(17));
    assertEquals(1 << 16, new MerkleTree(16).leafCount());
  }

  private static long entryHash(int i) {
    return MerkleTree.entryHash("k" + i, 1_000 + i, "n1", false);
  }

  /** A tree holding keys k0..k(count-1), each at one fixed version. */
  private static MerkleTree treeOf(int depth, int count) {
    MerkleTree tree = new MerkleTree(depth);
    for (int i = 0; i < count; i++) {
      tree.add("k" + i, entryHash(i));
    }
    return tree;
  }

  private static String keyInLeaf(MerkleTree tree, int leaf) {
    for (int i = 0; ; i++) {
      if (tree.leafOf("probe" + i) == leaf) {
        return "probe" + i;
      }
    }
  }

  private static List<Integer> differingLeaves(MerkleTree a, MerkleTree b) {
    List<Integer> leaves = new ArrayList<>();
    for (int i = 0; i < a.leafCount(); i++) {
      if (a.hash(a.depth(), i) != b.hash(b.depth(), i)) {
        leaves.add(i);
      }
    }
    return leaves;
  }

  private static void assertSameNodes(MerkleTree expected, MerkleTree actual) {
    assertEquals(expected.depth(), actual.depth());
    for (int level = 0; level <= expected.depth(); level++) {
      for (int index = 0; index < 1 << level; index++) {
        assertEquals(expected.hash(level, index), actual.hash(level, index),
            "node " + level + "/" + index);
      }
    }
  }
}
