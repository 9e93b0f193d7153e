package io.minidynamo.antientropy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Pure descent logic of one anti-entropy exchange: starting from the roots, at each step the local
 * side knows the remote hashes of a set of nodes at some level, compares them with its own tree, and
 * asks for the hashes of the children (possibly several levels down at once, {@code levelsPerStep})
 * of only the nodes that differ, until it reaches the leaves: the result is the list of differing
 * leaf indexes.
 *
 * <p>Invariants: exactly one request is outstanding until done; each request's level is deeper than
 * the previous one and the last is the leaf level, so an exchange takes at most
 * {@code 1 + ceil(depth / levelsPerStep)} round trips; the requested indexes are ascending, and so
 * are the differing leaves. Equal roots end the exchange after a single comparison.
 *
 * <p>Both trees must have the same depth. The local tree is read at each answer, not snapshotted: an
 * update landing mid-exchange may hide or add a differing leaf, which the next exchange settles.
 *
 * <p>Mutable, single use, not thread-safe: confined to the actor running the exchange.
 */
public final class MerkleDiff {
  private final MerkleTree local;
  private final int levelsPerStep;
  private final List<Integer> differingLeaves = new ArrayList<>();
  private Request pending;
  private boolean started;
  private boolean done;
  private int hashesCompared;

  public MerkleDiff(MerkleTree local, int levelsPerStep) {
    if (levelsPerStep < 1) {
      throw new IllegalArgumentException("levelsPerStep must be >= 1, got " + levelsPerStep);
    }
    this.local = local;
    this.levelsPerStep = levelsPerStep;
  }

  /** The first request: level 0, index 0 (the root). */
  public Request start() {
    if (started) {
      throw new IllegalStateException("exchange already started");
    }
    started = true;
    pending = new Request(0, new int[] {0});
    return pending;
  }

  /**
   * Feeds the remote hashes answered for the outstanding request (same order as its indexes);
   * returns the next request, or empty when done.
   */
  public Optional<Request> onHashes(Request request, long[] remoteHashes) {
    if (pending == null) {
      throw new IllegalStateException(done ? "exchange already done" : "exchange not started");
    }
    if (!pending.equals(request)) {
      throw new IllegalArgumentException("answer for " + request + ", expected " + pending);
    }
    int[] indexes = request.indexes();
    if (remoteHashes.length != indexes.length) {
      throw new IllegalArgumentException(
          remoteHashes.length + " hashes answered for " + indexes.length + " nodes");
    }
    int level = request.level();
    long[] localHashes = local.hashes(level, indexes);
    hashesCompared += indexes.length;
    List<Integer> differing = new ArrayList<>();
    for (int i = 0; i < indexes.length; i++) {
      if (localHashes[i] != remoteHashes[i]) {
        differing.add(indexes[i]);
      }
    }
    if (level == local.depth()) {
      differingLeaves.addAll(differing);
      return finish();
    }
    if (differing.isEmpty()) {
      return finish();
    }
    pending = descend(level, differing);
    return Optional.of(pending);
  }

  public boolean isDone() {
    return done;
  }

  /** Leaf indexes whose hashes differ, ascending; empty when the trees are equal. */
  public List<Integer> differingLeaves() {
    if (!done) {
      throw new IllegalStateException("differing leaves are known only once the exchange is done");
    }
    return List.copyOf(differingLeaves);
  }

  /** Hashes compared so far (for stats: an in-sync exchange compares exactly one). */
  public int hashesCompared() {
    return hashesCompared;
  }

  private Optional<Request> finish() {
    pending = null;
    done = true;
    return Optional.empty();
  }

  /** All descendants, {@code levelsPerStep} levels down (at most the leaves), of the given nodes. */
  private Request descend(int level, List<Integer> differing) {
    int next = Math.min(level + levelsPerStep, local.depth());
    int fanOut = 1 << (next - level);
    int[] children = new int[differing.size() * fanOut];
    int n = 0;
    for (int parent : differing) {
      int first = parent * fanOut;
      for (int c = 0; c < fanOut; c++) {
        children[n++] = first + c;
      }
    }
    return new Request(next, children);
  }

  /** A request for the hashes of some nodes of one level. Immutable: the array is copied in and out. */
  public record Request(int level, int[] indexes) {
    public Request {
      if (level < 0) {
        throw new IllegalArgumentException("level must be >= 0, got " + level);
      }
      indexes = indexes.clone();
    }

    @Override
    public int[] indexes() {
      return indexes.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Request other
          && level == other.level
          && Arrays.equals(indexes, other.indexes);
    }

    @Override
    public int hashCode() {
      return 31 * level + Arrays.hashCode(indexes);
    }

    @Override
    public String toString() {
      return "Request[level=" + level + ", indexes=" + Arrays.toString(indexes) + "]";
    }
  }
}
