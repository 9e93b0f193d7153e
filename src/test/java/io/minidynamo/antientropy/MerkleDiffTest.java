package io.minidynamo.antientropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.antientropy.MerkleDiff.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MerkleDiffTest {
  private static final int DEPTH = 10;
  private static final int COMMON_KEYS = 5_000;

  @ParameterizedTest
  @ValueSource(ints = {1, 3, DEPTH + 5})
  void differingLeaves_treesDifferInKnownKeys_exactlyTheLeavesOfThoseKeys(int levelsPerStep) {
    MerkleTree local = commonTree();
    MerkleTree remote = commonTree();
    local.add("only-local", MerkleTree.entryHash("only-local", 5, "n1", false));
    remote.add("only-remote", MerkleTree.entryHash("only-remote", 5, "n2", false));
    remote.replace("k17", entryHash(17), MerkleTree.entryHash("k17", 9_999, "n2", true));
    TreeSet<Integer> expected = new TreeSet<>(List.of(
        local.leafOf("only-local"), local.leafOf("only-remote"), local.leafOf("k17")));

    Exchange exchange = Exchange.run(new MerkleDiff(local, levelsPerStep), remote);

    assertEquals(List.copyOf(expected), exchange.leaves());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, DEPTH + 5})
  void onHashes_equalTrees_doneAfterFirstAnswerWithOneComparison(int levelsPerStep) {
    MerkleDiff diff = new MerkleDiff(commonTree(), levelsPerStep);

    Exchange exchange = Exchange.run(diff, commonTree());

    assertEquals(1, exchange.requests().size());
    assertTrue(diff.isDone());
    assertEquals(1, diff.hashesCompared());
    assertEquals(List.of(), diff.differingLeaves());
  }

  @Test
  void onHashes_emptyTrees_doneAfterFirstAnswer() {
    MerkleDiff diff = new MerkleDiff(new MerkleTree(4), 2);

    Exchange exchange = Exchange.run(diff, new MerkleTree(4));

    assertEquals(1, diff.hashesCompared());
    assertEquals(List.of(), exchange.leaves());
  }

  @Test
  void hashesCompared_fewKeysDiffer_farBelowNodeCount() {
    MerkleTree local = commonTree();
    MerkleTree remote = commonTree();
    String[] changed = {"k1", "k2000", "k4321"};
    for (String key : changed) {
      remote.add(key + "-new", MerkleTree.entryHash(key + "-new", 1, "n2", false));
    }
    MerkleDiff diff = new MerkleDiff(local, 1);

    Exchange.run(diff, remote);

    int totalNodes = (2 << DEPTH) - 1;
    // descending one level at a time, each differing leaf costs at most two hashes per level
    int bound = 1 + 2 * changed.length * DEPTH;
    assertTrue(diff.hashesCompared() <= bound, diff.hashesCompared() + " > " + bound);
    assertTrue(diff.hashesCompared() * 20 < totalNodes);
  }

  @Test
  void hashesCompared_everyStep_sumOfRequestSizes() {
    MerkleTree remote = commonTree();
    remote.add("x", 1L);
    remote.add("y", 2L);
    MerkleDiff diff = new MerkleDiff(commonTree(), 3);

    Exchange exchange = Exchange.run(diff, remote);

    int requested = exchange.requests().stream().mapToInt(r -> r.indexes().length).sum();
    assertEquals(requested, diff.hashesCompared());
  }

  @Test
  void start_levelsPerStep3_descendsThreeLevelsAtATimeThenToTheLeaves() {
    MerkleTree remote = commonTree();
    remote.add("x", 1L);

    Exchange exchange = Exchange.run(new MerkleDiff(commonTree(), 3), remote);

    assertEquals(List.of(0, 3, 6, 9, 10),
        exchange.requests().stream().map(Request::level).toList());
    assertEquals(List.of(1, 8, 8, 8, 2),
        exchange.requests().stream().map(r -> r.indexes().length).toList());
  }

  @Test
  void start_levelsPerStepBeyondDepth_asksForAllLeavesAfterTheRoot() {
    MerkleTree remote = commonTree();
    remote.add("x", 1L);

    Exchange exchange = Exchange.run(new MerkleDiff(commonTree(), DEPTH + 5), remote);

    assertEquals(2, exchange.requests().size());
    Request leaves = exchange.requests().get(1);
    assertEquals(DEPTH, leaves.level());
    assertEquals(1 << DEPTH, leaves.indexes().length);
    assertEquals(List.of(remote.leafOf("x")), exchange.leaves());
  }

  @Test
  void differingLeaves_remoteEmpty_everyNonEmptyLeaf() {
    MerkleTree local = new MerkleTree(6);
    TreeSet<Integer> expected = new TreeSet<>();
    for (int i = 0; i < 20; i++) {
      local.add("k" + i, entryHash(i));
      expected.add(local.leafOf("k" + i));
    }

    Exchange exchange = Exchange.run(new MerkleDiff(local, 2), new MerkleTree(6));

    assertEquals(List.copyOf(expected), exchange.leaves());
  }

  @Test
  void onHashes_answerForAnotherRequest_throws() {
    MerkleDiff diff = new MerkleDiff(commonTree(), 1);
    diff.start();
    assertThrows(IllegalArgumentException.class,
        () -> diff.onHashes(new Request(1, new int[] {0, 1}), new long[2]));
  }

  @Test
  void onHashes_wrongNumberOfHashes_throws() {
    MerkleDiff diff = new MerkleDiff(commonTree(), 1);
    Request root = diff.start();
    assertThrows(IllegalArgumentException.class, () -> diff.onHashes(root, new long[2]));
  }

  @Test
  void onHashes_beforeStartOrAfterDone_throws() {
    MerkleTree tree = commonTree();
    MerkleDiff diff = new MerkleDiff(tree, 1);
    Request root = new Request(0, new int[] {0});
    assertThrows(IllegalStateException.class, () -> diff.onHashes(root, new long[] {tree.root()}));

    diff.start();
    assertEquals(Optional.empty(), diff.onHashes(root, new long[] {tree.root()}));
    assertThrows(IllegalStateException.class, () -> diff.onHashes(root, new long[] {tree.root()}));
    assertThrows(IllegalStateException.class, diff::start);
  }

  @Test
  void differingLeaves_notDone_throws() {
    MerkleDiff diff = new MerkleDiff(commonTree(), 1);
    diff.start();
    assertFalse(diff.isDone());
    assertThrows(IllegalStateException.class, diff::differingLeaves);
  }

  @Test
  void constructor_levelsPerStepBelowOne_throws() {
    assertThrows(IllegalArgumentException.class, () -> new MerkleDiff(new MerkleTree(2), 0));
  }

  @Test
  void request_sameLevelAndIndexes_equalWithArrayContents() {
    Request a = new Request(2, new int[] {1, 3});
    Request b = new Request(2, new int[] {1, 3});
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, new Request(2, new int[] {1, 2}));
    assertNotEquals(a, new Request(3, new int[] {1, 3}));
    assertEquals("Request[level=2, indexes=[1, 3]]", a.toString());
  }

  @Test
  void request_callerMutatesArrays_requestUnchanged() {
    int[] indexes = {4, 5};
    Request request = new Request(3, indexes);
    indexes[0] = 0;
    request.indexes()[1] = 0;
    assertArrayEquals(new int[] {4, 5}, request.indexes());
  }

  private static long entryHash(int i) {
    return MerkleTree.entryHash("k" + i, 1_000 + i, "n1", false);
  }

  private static MerkleTree commonTree() {
    MerkleTree tree = new MerkleTree(DEPTH);
    for (int i = 0; i < COMMON_KEYS; i++) {
      tree.add("k" + i, entryHash(i));
    }
    return tree;
  }

  /** One exchange driven to the end against a fake remote that answers from its own tree. */
  private record Exchange(List<Request> requests, List<Integer> leaves) {
    static Exchange run(MerkleDiff diff, MerkleTree remote) {
      List<Request> requests = new ArrayList<>();
      Optional<Request> next = Optional.of(diff.start());
      while (next.isPresent()) {
        Request request = next.get();
        requests.add(request);
        assertTrue(requests.size() <= DEPTH + 1, "too many round trips: " + requests);
        next = diff.onHashes(request, remote.hashes(request.level(), request.indexes()));
      }
      assertTrue(diff.isDone());
      return new Exchange(requests, diff.differingLeaves());
    }
  }
}
