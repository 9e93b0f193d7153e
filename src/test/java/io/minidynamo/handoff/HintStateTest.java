package io.minidynamo.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure hint bookkeeping: per target, oldest first, removed only when delivered. */
class HintStateTest {

  @Test
  void add_countsPerTargetAndInAll() {
    HintState state = new HintState();
    state.add(hint(1, "n2", "a", 100));
    state.add(hint(2, "n3", "b", 100));
    state.add(hint(3, "n2", "c", 100));
    assertEquals(3, state.count());
    assertEquals(Map.of("n2", 2, "n3", 1), state.countsByTarget());
    assertEquals(Set.of("n2", "n3"), state.targets());
  }

  @Test
  void nextId_isAboveEveryIdAdded() {
    HintState state = new HintState();
    assertEquals(1, state.nextId());
    state.add(hint(7, "n2", "a", 100));
    state.add(hint(3, "n2", "b", 100));
    assertEquals(8, state.nextId());
  }

  @Test
  void oldest_givesTheTargetsHintsByIdUpToMax() {
    HintState state = new HintState();
    state.add(hint(5, "n2", "e", 100));
    state.add(hint(2, "n2", "b", 100));
    state.add(hint(3, "n3", "c", 100));
    state.add(hint(4, "n2", "d", 100));
    assertEquals(List.of(2L, 4L), ids(state.oldest("n2", 2, Set.of())));
    assertEquals(List.of(2L, 4L, 5L), ids(state.oldest("n2", 10, Set.of())));
    assertEquals(List.of(3L), ids(state.oldest("n3", 10, Set.of())));
    assertEquals(List.of(), state.oldest("n9", 10, Set.of()));
    assertEquals(List.of(), state.oldest("n2", 0, Set.of()));
  }

  @Test
  void oldest_skipsExcludedIdsAndFillsUpWithTheNext() {
    HintState state = new HintState();
    for (long id = 1; id <= 5; id++) {
      state.add(hint(id, "n2", "k" + id, 100));
    }
    assertEquals(List.of(1L, 3L, 5L), ids(state.oldest("n2", 3, Set.of(2L, 4L))));
  }

  @Test
  void remove_dropsDeliveredHintsAndCountsThem() {
    HintState state = new HintState();
    state.add(hint(1, "n2", "a", 100));
    state.add(hint(2, "n2", "b", 100));
    state.add(hint(3, "n3", "c", 100));
    state.remove("n2", List.of(1L));
    assertEquals(List.of(2L), ids(state.oldest("n2", 10, Set.of())));
    assertEquals(2, state.count());
    assertEquals(1, state.delivered());
  }

  @Test
  void remove_lastHintOfATarget_dropsTheTarget() {
    HintState state = new HintState();
    state.add(hint(1, "n2", "a", 100));
    state.add(hint(2, "n3", "b", 100));
    state.remove("n2", List.of(1L));
    assertEquals(Set.of("n3"), state.targets());
    assertEquals(Map.of("n3", 1), state.countsByTarget());
  }

  @Test
  void remove_idsNotHeldOrOfAnotherTarget_areIgnored() {
    HintState state = new HintState();
    state.add(hint(1, "n2", "a", 100));
    state.remove("n2", List.of(1L));
    state.remove("n2", List.of(1L)); // delivered twice
    state.remove("n3", List.of(1L)); // not n3's
    state.remove("n9", List.of(5L)); // unknown target
    assertEquals(1, state.delivered());
    assertEquals(0, state.count());
  }

  @Test
  void remove_idOfAnotherTarget_leavesThatTargetsHint() {
    HintState state = new HintState();
    state.add(hint(1, "n2", "a", 100));
    state.add(hint(2, "n3", "b", 100));
    state.remove("n2", List.of(2L));
    assertEquals(Map.of("n2", 1, "n3", 1), state.countsByTarget());
    assertEquals(0, state.delivered());
  }

  @Test
  void oldestStoredAtMillis_isTheEarliestPendingAcrossTargets() {
    HintState state = new HintState();
    assertEquals(-1, state.oldestStoredAtMillis());
    state.add(hint(1, "n2", "a", 300));
    state.add(hint(2, "n3", "b", 200));
    state.add(hint(3, "n3", "c", 500));
    assertEquals(200, state.oldestStoredAtMillis());
    state.remove("n3", List.of(2L));
    assertEquals(300, state.oldestStoredAtMillis());
    state.remove("n2", List.of(1L));
    state.remove("n3", List.of(3L));
    assertEquals(-1, state.oldestStoredAtMillis());
  }

  @Test
  void fromSnapshot_ofToSnapshot_keepsHintsNextIdAndDelivered() {
    HintState state = new HintState();
    state.add(hint(1, "n2", "a", 100));
    state.add(hint(2, "n3", "b", 200));
    state.add(hint(3, "n2", "c", 300));
    state.add(hint(4, "n2", "d", 400));
    state.remove("n2", List.of(4L)); // the highest id is gone: nextId must still stay above it
    HintState restored = HintState.fromSnapshot(state.toSnapshot());
    assertEquals(state.countsByTarget(), restored.countsByTarget());
    assertEquals(state.oldest("n2", 10, Set.of()), restored.oldest("n2", 10, Set.of()));
    assertEquals(state.oldest("n3", 10, Set.of()), restored.oldest("n3", 10, Set.of()));
    assertEquals(5, restored.nextId());
    assertEquals(1, restored.delivered());
    assertEquals(100, restored.oldestStoredAtMillis());
  }

  @Test
  void toSnapshot_isACopyUnaffectedByLaterChanges() {
    HintState state = new HintState();
    state.add(hint(1, "n2", "a", 100));
    HintState.Snapshot snapshot = state.toSnapshot();
    state.add(hint(2, "n2", "b", 100));
    state.remove("n2", List.of(1L));
    assertEquals(List.of(hint(1, "n2", "a", 100)), snapshot.hints());
    assertEquals(2, snapshot.nextId());
    assertEquals(0, snapshot.delivered());
  }

  @Test
  void fromSnapshot_empty_isEmpty() {
    HintState state = HintState.fromSnapshot(new HintState().toSnapshot());
    assertEquals(0, state.count());
    assertEquals(1, state.nextId());
    assertTrue(state.targets().isEmpty());
  }

  private static List<Long> ids(List<Hint> hints) {
    return hints.stream().map(Hint::id).toList();
  }

  private static Hint hint(long id, String target, String key, long storedAt) {
    Record record = Record.put(key, key.getBytes(StandardCharsets.UTF_8), new Version(id, "n1"));
    return new Hint(id, target, 3, record, storedAt);
  }
}
