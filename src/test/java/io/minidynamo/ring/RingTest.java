package io.minidynamo.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Properties of {@link Ring} over every shape a small cluster can take: 1..8 nodes, ring sizes
 * 8..1024 (powers of two), N in 1..min(3, nodes).
 */
class RingTest {

  /** Every (nodes, size, n) this test sweeps. */
  private static List<Ring> allRings() {
    List<Ring> rings = new ArrayList<>();
    for (int nodeCount = 1; nodeCount <= 8; nodeCount++) {
      for (int size = 8; size <= 1024; size *= 2) {
        for (int n = 1; n <= Math.min(3, nodeCount); n++) {
          rings.add(Ring.create(nodeIds(nodeCount), size, n));
        }
      }
    }
    return rings;
  }

  @Test
  void create_everyShape_balancesOwnership() {
    for (Ring ring : allRings()) {
      Map<String, Integer> counts = new HashMap<>();
      for (String node : ring.nodes()) {
        counts.put(node, 0);
      }
      for (int p = 0; p < ring.size(); p++) {
        assertTrue(counts.containsKey(ring.owner(p)), describe(ring) + " unknown owner at " + p);
        counts.merge(ring.owner(p), 1, Integer::sum);
      }
      int max = counts.values().stream().max(Integer::compare).orElseThrow();
      int min = counts.values().stream().min(Integer::compare).orElseThrow();
      assertTrue(max - min <= 1, describe(ring) + " owns " + counts);
    }
  }

  @Test
  void preferenceList_everyShape_holdsEveryNodeOnceOwnerFirst() {
    for (Ring ring : allRings()) {
      for (int p = 0; p < ring.size(); p++) {
        List<String> list = ring.preferenceList(p);
        assertEquals(ring.nodes().size(), list.size(), describe(ring) + " partition " + p);
        assertEquals(Set.copyOf(ring.nodes()), Set.copyOf(list), describe(ring) + " partition " + p);
        assertEquals(ring.owner(p), list.get(0), describe(ring) + " partition " + p);
      }
    }
  }

  @Test
  void preferenceList_everyShape_followsDistinctOwnersClockwise() {
    for (Ring ring : allRings()) {
      for (int p = 0; p < ring.size(); p++) {
        Set<String> clockwise = new LinkedHashSet<>();
        for (int i = 0; i < ring.size(); i++) {
          clockwise.add(ring.owner((p + i) % ring.size()));
        }
        assertEquals(List.copyOf(clockwise), ring.preferenceList(p), describe(ring) + " partition " + p);
      }
    }
  }

  @Test
  void primariesAndFallbacks_everyShape_splitThePreferenceListAtN() {
    for (Ring ring : allRings()) {
      for (int p = 0; p < ring.size(); p++) {
        List<String> list = ring.preferenceList(p);
        assertEquals(list.subList(0, ring.n()), ring.primaries(p), describe(ring) + " partition " + p);
        assertEquals(
            list.subList(ring.n(), list.size()), ring.fallbacks(p), describe(ring) + " partition " + p);
        assertEquals(ring.n(), Set.copyOf(ring.primaries(p)).size(), describe(ring) + " partition " + p);
      }
    }
  }

  @Test
  void partitionsReplicatedBy_everyShape_matchesPrimaries() {
    for (Ring ring : allRings()) {
      int total = 0;
      for (String node : ring.nodes()) {
        List<Integer> held = ring.partitionsReplicatedBy(node);
        total += held.size();
        for (int p = 0; p < ring.size(); p++) {
          assertEquals(ring.primaries(p).contains(node), held.contains(p), describe(ring) + " " + node);
        }
      }
      assertEquals(ring.size() * ring.n(), total, describe(ring));
    }
  }

  /**
   * The Ring Javadoc promises runs of N consecutive partitions (wrapping) with N distinct owners
   * "always when there are more than n nodes, or when the node count divides the ring size".
   */
  @Test
  void owners_moreNodesThanNOrNodeCountDividesSize_everyWindowOfNIsDistinct() {
    int checked = 0;
    for (Ring ring : allRings()) {
      int nodeCount = ring.nodes().size();
      if (nodeCount > ring.n() || ring.size() % nodeCount == 0) {
        checked++;
        for (int p = 0; p < ring.size(); p++) {
          Set<String> window = new HashSet<>();
          for (int d = 0; d < ring.n(); d++) {
            window.add(ring.owner((p + d) % ring.size()));
          }
          assertEquals(ring.n(), window.size(), describe(ring) + " window at " + p);
        }
      }
    }
    assertTrue(checked > 100, "the sweep must exercise the promise, checked " + checked);
  }

  /**
   * The other case of the Javadoc: nodes == N and the node count does not divide the ring size (e.g.
   * 3 nodes, N=3, 64 partitions). Only runs crossing the wrap point may repeat a node.
   */
  @Test
  void owners_nodesEqualNAndNotDividingSize_onlyWindowsAcrossTheWrapRepeat() {
    Ring ring = Ring.create(nodeIds(3), 64, 3);
    for (int p = 0; p + ring.n() <= ring.size(); p++) {
      Set<String> window = Set.of(ring.owner(p), ring.owner(p + 1), ring.owner(p + 2));
      assertEquals(3, window.size(), "window at " + p);
    }
    for (int p = 0; p < ring.size(); p++) {
      assertEquals(3, ring.primaries(p).size(), "primaries at " + p);
    }
  }

  @Test
  void partitionOf_knownKeys_isStable() {
    // "hello" hashes to 0xcbd8a7b341bd9b02 (Murmur3Test): its top 6 bits are 50, its top 10 are 815.
    assertEquals(50, Ring.create(nodeIds(3), 64, 3).partitionOf("hello"));
    assertEquals(815, Ring.create(nodeIds(3), 1024, 3).partitionOf("hello"));
    // "" hashes to 0.
    assertEquals(0, Ring.create(nodeIds(3), 64, 3).partitionOf(""));
  }

  @Test
  void partitionOfHash_extremes_mapToFirstMiddleAndLastPartitions() {
    Ring ring = Ring.create(nodeIds(3), 64, 3);
    assertEquals(0, ring.partitionOfHash(0L));
    assertEquals(0, ring.partitionOfHash(0x03ffffffffffffffL));
    assertEquals(1, ring.partitionOfHash(0x0400000000000000L));
    assertEquals(32, ring.partitionOfHash(Long.MIN_VALUE));
    assertEquals(63, ring.partitionOfHash(-1L));
  }

  @Test
  void partitionOfHash_singlePartition_isAlwaysZero() {
    Ring ring = Ring.create(nodeIds(1), 1, 1);
    assertEquals(0, ring.partitionOfHash(-1L));
    assertEquals(0, ring.partitionOfHash(Long.MAX_VALUE));
    assertEquals(0, ring.partitionOf("hello"));
  }

  @Test
  void partitionOf_100kKeys_spreadWithin25PercentOfMean() {
    Ring ring = Ring.create(nodeIds(3), 64, 3);
    int[] counts = new int[ring.size()];
    int keys = 100_000;
    for (int i = 0; i < keys; i++) {
      counts[ring.partitionOf("key-" + i)]++;
    }
    double mean = (double) keys / ring.size();
    for (int p = 0; p < counts.length; p++) {
      assertTrue(Math.abs(counts[p] - mean) <= 0.25 * mean, "partition " + p + " holds " + counts[p]);
    }
  }

  @Test
  void create_sizeNotPowerOfTwo_isRejected() {
    for (int size : new int[] {0, -8, 3, 6, 48, 100, 1000}) {
      IllegalArgumentException e = assertThrows(
          IllegalArgumentException.class, () -> Ring.create(nodeIds(3), size, 3), "size " + size);
      assertTrue(e.getMessage().contains("power of two"), e.getMessage());
    }
  }

  @Test
  void create_nOutOfRange_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> Ring.create(nodeIds(3), 64, 0));
    assertThrows(IllegalArgumentException.class, () -> Ring.create(nodeIds(3), 64, -1));
    assertThrows(IllegalArgumentException.class, () -> Ring.create(nodeIds(3), 64, 4));
  }

  @Test
  void create_duplicateOrNoNodes_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> Ring.create(List.of("n1", "n2", "n1"), 64, 2));
    assertThrows(IllegalArgumentException.class, () -> Ring.create(List.of(), 64, 1));
  }

  @Test
  void create_fewerPartitionsThanNodes_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> Ring.create(nodeIds(5), 4, 3));
  }

  @Test
  void create_identicalInputs_giveIdenticalRings() {
    for (Ring ring : allRings()) {
      Ring again = Ring.create(nodeIds(ring.nodes().size()), ring.size(), ring.n());
      assertEquals(ring.owners(), again.owners(), describe(ring));
      for (int p = 0; p < ring.size(); p++) {
        assertEquals(ring.preferenceList(p), again.preferenceList(p), describe(ring));
      }
    }
  }

  @Test
  void create_nodeOrder_decidesTheClaim() {
    Ring forward = Ring.create(List.of("a", "b", "c"), 64, 3);
    Ring backward = Ring.create(List.of("c", "b", "a"), 64, 3);
    assertNotEquals(forward.owners(), backward.owners());
  }

  @Test
  void preferenceList_isImmutable() {
    Ring ring = Ring.create(nodeIds(3), 64, 2);
    assertThrows(UnsupportedOperationException.class, () -> ring.preferenceList(0).add("x"));
    assertThrows(UnsupportedOperationException.class, () -> ring.nodes().add("x"));
  }

  private static List<String> nodeIds(int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      ids.add("n" + i);
    }
    return ids;
  }

  private static String describe(Ring ring) {
    return "nodes=" + ring.nodes().size() + " size=" + ring.size() + " n=" + ring.n();
  }
}
