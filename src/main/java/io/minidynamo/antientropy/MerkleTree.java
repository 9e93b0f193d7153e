package io.minidynamo.antientropy;

import io.minidynamo.ring.Murmur3;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Merkle tree over the entries (key, version timestamp, writer, tombstone) of one replica partition.
 * A complete binary tree of {@code depth + 1} levels: level 0 is the root, level {@code depth} holds
 * {@code 2^depth} leaves, and a key always falls in leaf {@link #leafOf(String)}.
 *
 * <p>Invariants:
 * <ul>
 *   <li>A leaf's hash is the wrapping sum of the {@link #entryHash entry hashes} in it, so it does not
 *       depend on the order of adds and removes: any sequence of updates ends at the same hashes as a
 *       rebuild from the final entry set.
 *   <li>An internal node's hash is a deterministic, order-sensitive mix of its two children, and 0
 *       exactly when both children are 0: an empty tree's root is 0, so two empty replicas agree.
 *   <li>Every internal node is up to date after each update (O(depth) work per update), and memory is
 *       {@code 2^(depth+1)} longs whatever the number of entries.
 * </ul>
 *
 * <p>The tree does not remember entries, only their sums: removing an entry that was never added
 * (or with a different hash) silently corrupts the leaf. The owner must remove exactly what it added.
 *
 * <p>Mutable and not thread-safe: confined to the actor that owns the partition.
 */
public final class MerkleTree {
  public static final int MIN_DEPTH = 1;
  public static final int MAX_DEPTH = 16;

  /**
   * Seed for bucketing keys into leaves. The ring places keys by the top bits of Murmur3 with seed 0,
   * so all keys of one partition share those bits; a different seed (and the low bits) spreads the
   * keys of one partition over all leaves.
   */
  private static final int LEAF_SEED = 0x5eed;
  private static final int ENTRY_SEED = 0x0e17;
  private static final long LEFT_SALT = 0x9e3779b97f4a7c15L;

  private final int depth;
  private final int leafMask;
  /** Heap layout: node (level, index) at {@code (1 << level) + index}; slot 0 unused. */
  private final long[] nodes;
  private int entryCount;

  /** An empty tree with {@code 2^depth} leaves, depth in 1..16. */
  public MerkleTree(int depth) {
    if (depth < MIN_DEPTH || depth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          "depth must be in " + MIN_DEPTH + ".." + MAX_DEPTH + ", got " + depth);
    }
    this.depth = depth;
    this.leafMask = (1 << depth) - 1;
    this.nodes = new long[2 << depth];
  }

  /** An independent copy, e.g. for an exchange that must not read the live tree of another actor. */
  public MerkleTree copy() {
    MerkleTree copy = new MerkleTree(depth);
    System.arraycopy(nodes, 0, copy.nodes, 0, nodes.length);
    copy.entryCount = entryCount;
    return copy;
  }

  public int depth() {
    return depth;
  }

  public int leafCount() {
    return 1 << depth;
  }

  /** The leaf a key falls in: low bits of Murmur3 of its UTF-8 bytes with a non-ring seed. */
  public int leafOf(String key) {
    return (int) Murmur3.hash64(key.getBytes(StandardCharsets.UTF_8), LEAF_SEED) & leafMask;
  }

  /**
   * A well-mixed 64-bit hash of one entry's identity and version. The fields are encoded without
   * ambiguity (strings are length-prefixed), so distinct entries collide only by chance.
   */
  public static long entryHash(String key, long timestamp, String writer, boolean tombstone) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] w = writer.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.allocate(4 + k.length + 8 + 4 + w.length + 1)
        .putInt(k.length).put(k)
        .putLong(timestamp)
        .putInt(w.length).put(w)
        .put((byte) (tombstone ? 1 : 0));
    return Murmur3.hash64(buffer.array(), ENTRY_SEED);
  }

  /** Includes an entry. */
  public void add(String key, long entryHash) {
    updateLeaf(leafOf(key), entryHash);
    entryCount++;
  }

  /**
   * Excludes an entry previously {@link #add added} with the same key and hash.
   *
   * @throws IllegalStateException when the tree holds no entries at all
   */
  public void remove(String key, long entryHash) {
    if (entryCount == 0) {
      throw new IllegalStateException("remove from an empty tree: " + key);
    }
    updateLeaf(leafOf(key), -entryHash);
    entryCount--;
  }

  /** Replaces an entry's hash (e.g. a newer version of the key); same as remove then add. */
  public void replace(String key, long oldEntryHash, long newEntryHash) {
    if (entryCount == 0) {
      throw new IllegalStateException("replace in an empty tree: " + key);
    }
    updateLeaf(leafOf(key), newEntryHash - oldEntryHash);
  }

  public long root() {
    return nodes[1];
  }

  /** The hash of node {@code index} (0..2^level-1) of {@code level} (0..depth). */
  public long hash(int level, int index) {
    return nodes[slot(level, index)];
  }

  /** The hashes of several nodes of one level, in the order of {@code indexes}. */
  public long[] hashes(int level, int[] indexes) {
    long[] result = new long[indexes.length];
    for (int i = 0; i < indexes.length; i++) {
      result[i] = hash(level, indexes[i]);
    }
    return result;
  }

  /** Entries added minus entries removed. */
  public int entryCount() {
    return entryCount;
  }

  private void updateLeaf(int leaf, long delta) {
    int slot = (1 << depth) + leaf;
    nodes[slot] += delta;
    for (slot >>>= 1; slot >= 1; slot >>>= 1) {
      nodes[slot] = combine(nodes[2 * slot], nodes[2 * slot + 1]);
    }
  }

  /**
   * The parent of two children: 0 for two empty subtrees, otherwise a mix in which the left child
   * passes through one more avalanche than the right, so swapping children changes the result.
   */
  private static long combine(long left, long right) {
    if (left == 0 && right == 0) {
      return 0;
    }
    return Murmur3.fmix64(Murmur3.fmix64(left + LEFT_SALT) ^ right);
  }

  private int slot(int level, int index) {
    Objects.checkIndex(level, depth + 1);
    Objects.checkIndex(index, 1 << level);
    return (1 << level) + index;
  }
}
