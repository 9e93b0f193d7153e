package io.minidynamo.ring;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The consistent-hashing ring: Dynamo's "strategy 3" as Riak does it. The 64-bit hash space is cut
 * into {@code size} equal partitions (a power of two, so a key's partition is the top bits of its
 * Murmur3 hash); each partition is claimed by one node.
 *
 * <p>Invariants: ownership is balanced (no node owns more than one partition above another); the
 * preference list of every partition holds each node exactly once, the owner first and then the next
 * distinct owners clockwise; its first {@code n} entries are the primaries, the rest fallbacks. When a
 * claim exists in which every run of {@code n} consecutive partitions has {@code n} distinct owners
 * (always when there are more than {@code n} nodes, or when the node count divides the ring size),
 * this ring uses one; otherwise (e.g. 3 nodes, N=3, 64 partitions) the runs that cross the ring's
 * wrap point may repeat a node, and the preference lists, being made of distinct nodes, still are.
 *
 * <p>Immutable and pure: computed identically on every node from the same node list.
 */
public final class Ring {
  private static final int HASH_SEED = 0;

  private final int size;
  private final int n;
  private final int shift;
  private final List<String> nodes;
  private final String[] owners;
  private final List<List<String>> preferenceLists;

  private Ring(List<String> nodes, int size, int n) {
    if (size <= 0 || Integer.bitCount(size) != 1) {
      throw new IllegalArgumentException("ring-size must be a power of two, got " + size);
    }
    if (nodes.isEmpty() || Set.copyOf(nodes).size() != nodes.size()) {
      throw new IllegalArgumentException("node ids must be non-empty and distinct: " + nodes);
    }
    if (n < 1 || n > nodes.size()) {
      throw new IllegalArgumentException("n must be in 1.." + nodes.size() + ", got " + n);
    }
    if (size < nodes.size()) {
      throw new IllegalArgumentException(
          "ring-size " + size + " is smaller than the node count " + nodes.size());
    }
    this.size = size;
    this.n = n;
    this.shift = 64 - Integer.numberOfTrailingZeros(size);
    this.nodes = List.copyOf(nodes);
    this.owners = claim(nodes.size(), size, n);
    List<List<String>> lists = new ArrayList<>(size);
    for (int p = 0; p < size; p++) {
      lists.add(walkClockwise(p));
    }
    this.preferenceLists = List.copyOf(lists);
  }

  /** A ring of {@code size} partitions claimed by {@code nodes} (in configuration order), N = n. */
  public static Ring create(List<String> nodes, int size, int n) {
    return new Ring(nodes, size, n);
  }

  public int size() {
    return size;
  }

  public int n() {
    return n;
  }

  public List<String> nodes() {
    return nodes;
  }

  /** The partition a key falls in. */
  public int partitionOf(String key) {
    return partitionOfHash(Murmur3.hash64(key.getBytes(StandardCharsets.UTF_8), HASH_SEED));
  }

  /** The partition a 64-bit hash falls in: its top bits, so partitions are equal ranges. */
  public int partitionOfHash(long hash) {
    return shift == 64 ? 0 : (int) (hash >>> shift);
  }

  public String owner(int partition) {
    return owners[partition];
  }

  /** Every node exactly once: the owner, then the next distinct owners clockwise. */
  public List<String> preferenceList(int partition) {
    return preferenceLists.get(partition);
  }

  /** The first N entries of the preference list. */
  public List<String> primaries(int partition) {
    return preferenceLists.get(partition).subList(0, n);
  }

  /** The preference list past the primaries, in order. */
  public List<String> fallbacks(int partition) {
    List<String> all = preferenceLists.get(partition);
    return all.subList(n, all.size());
  }

  /** The partitions for which {@code node} is one of the N primaries, ascending. */
  public List<Integer> partitionsReplicatedBy(String node) {
    List<Integer> result = new ArrayList<>();
    for (int p = 0; p < size; p++) {
      if (primaries(p).contains(node)) {
        result.add(p);
      }
    }
    return result;
  }

  /** Partition index to owner, for inspection. */
  public Map<Integer, String> owners() {
    Map<Integer, String> result = new TreeMap<>();
    for (int p = 0; p < size; p++) {
      result.put(p, owners[p]);
    }
    return result;
  }

  private List<String> walkClockwise(int partition) {
    Set<String> seen = new LinkedHashSet<>();
    for (int i = 0; i < size && seen.size() < nodes.size(); i++) {
      seen.add(owners[(partition + i) % size]);
    }
    return List.copyOf(seen);
  }

  /**
   * Claims partitions for node indexes: a greedy pass that keeps counts balanced and keeps every
   * window of n consecutive partitions (wrapping) distinct; if the greedy pass cannot satisfy both,
   * plain round robin, which is balanced and distinct everywhere except across the wrap point.
   */
  private String[] claim(int nodeCount, int partitions, int n) {
    int[] greedy = greedyClaim(nodeCount, partitions, n);
    int[] chosen = greedy != null ? greedy : roundRobin(nodeCount, partitions);
    String[] result = new String[partitions];
    for (int p = 0; p < partitions; p++) {
      result[p] = nodes.get(chosen[p]);
    }
    return result;
  }

  private static int[] roundRobin(int nodeCount, int partitions) {
    int[] owner = new int[partitions];
    for (int p = 0; p < partitions; p++) {
      owner[p] = p % nodeCount;
    }
    return owner;
  }

  private static int[] greedyClaim(int nodeCount, int partitions, int n) {
    int[] owner = new int[partitions];
    Arrays.fill(owner, -1);
    int[] count = new int[nodeCount];
    int cap = (partitions + nodeCount - 1) / nodeCount;
    for (int p = 0; p < partitions; p++) {
      int best = -1;
      for (int step = 0; step < nodeCount; step++) {
        int candidate = (p + step) % nodeCount;
        if (count[candidate] >= cap || conflicts(owner, p, candidate, n)) {
          continue;
        }
        if (best < 0 || count[candidate] < count[best]) {
          best = candidate;
        }
      }
      if (best < 0) {
        return null;
      }
      owner[p] = best;
      count[best]++;
    }
    return windowsDistinct(owner, n) && balanced(count) ? owner : null;
  }

  /** Would {@code candidate} at {@code p} repeat a node within n-1 positions either way (wrapping)? */
  private static boolean conflicts(int[] owner, int p, int candidate, int n) {
    int partitions = owner.length;
    for (int d = 1; d < n; d++) {
      if (owner[(p - d + partitions) % partitions] == candidate
          || owner[(p + d) % partitions] == candidate) {
        return true;
      }
    }
    return false;
  }

  static boolean windowsDistinct(int[] owner, int n) {
    for (int p = 0; p < owner.length; p++) {
      for (int d = 1; d < n; d++) {
        if (owner[p] == owner[(p + d) % owner.length]) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean balanced(int[] count) {
    return Arrays.stream(count).max().orElse(0) - Arrays.stream(count).min().orElse(0) <= 1;
  }
}
