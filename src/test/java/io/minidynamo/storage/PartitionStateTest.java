package io.minidynamo.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
