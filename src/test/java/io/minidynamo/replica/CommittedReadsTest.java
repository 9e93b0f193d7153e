package io.minidynamo.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.minidynamo.replica.CommittedReads.Committed;
import io.minidynamo.storage.PartitionState;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Only durable records are read: a partition is readable once recovered, and a batch being
 * persisted (already in the log's state, as Pekko applies events before writing them) stays hidden
 * until it is durable.
 */
class CommittedReadsTest {
  private static final Record OLD = Record.put("k", bytes("old"), new Version(1, "n1"));
  private static final Record NEW = Record.put("k", bytes("new"), new Version(2, "n1"));

  private final CommittedReads reads = new CommittedReads(List.of(3));
  private final CommittedReads.Partition partition = reads.partition(3);

  @Test
  void read_partitionNotHeld_cannotBeAnsweredHere() {
    assertNull(reads.read(4, "k"));
    assertNull(CommittedReads.none().read(3, "k"));
  }

  @Test
  void read_beforeRecovery_cannotBeAnsweredHere() {
    assertNull(reads.read(3, "k"));
  }

  @Test
  void read_recovered_answersTheStoredRecordOrNone() {
    partition.recovered(stateWith(OLD));
    assertEquals(new Committed(OLD), reads.read(3, "k"));
    assertEquals(new Committed(null), reads.read(3, "other"));
  }

  @Test
  void read_batchBeingPersisted_answersTheRecordsBeforeItUntilDurable() {
    PartitionState state = stateWith(OLD);
    partition.recovered(state);
    Record first = Record.put("first", bytes("v"), new Version(2, "n1"));
    List<Record> batch = List.of(NEW, first);
    partition.persisting(state, batch);
    batch.forEach(state::apply); // what Pekko does before the journal write

    assertEquals(new Committed(OLD), reads.read(3, "k"));
    assertEquals(new Committed(null), reads.read(3, "first"));
    partition.persisted(state, batch);
    assertEquals(new Committed(NEW), reads.read(3, "k"));
    assertEquals(new Committed(first), reads.read(3, "first"));
  }

  @Test
  void recovered_afterAFailedBatch_answersFromTheRecoveredState() {
    PartitionState state = stateWith(OLD);
    partition.recovered(state);
    partition.persisting(state, List.of(NEW));
    state.apply(NEW); // the journal write then fails: the log restarts and recovers

    assertEquals(new Committed(OLD), reads.read(3, "k"));
    partition.recovered(stateWith(OLD));
    assertEquals(new Committed(OLD), reads.read(3, "k"));
    partition.recovered(stateWith(NEW)); // or the write was durable after all
    assertEquals(new Committed(NEW), reads.read(3, "k"));
  }

  @Test
  void recovered_factory_partitionsAreReadableAtOnce() {
    assertEquals(new Committed(OLD),
        CommittedReads.recovered(java.util.Map.of(9, stateWith(OLD))).read(9, "k"));
  }

  private static PartitionState stateWith(Record record) {
    PartitionState state = new PartitionState();
    state.apply(record);
    return state;
  }

  private static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
