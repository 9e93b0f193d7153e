package io.minidynamo.replica;

import io.minidynamo.storage.PartitionState;
import io.minidynamo.versioning.Record;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What this node's replica partitions have made durable, readable from any thread: a read is
 * answered without a message to the partition's actor, and never waits behind the journal write
 * that actor has in flight (an event-sourced actor stashes every command meanwhile).
 *
 * <p>Only durable records are visible. While a batch is being persisted, its keys' previous records
 * are held aside ({@link Partition#persisting}) and answered instead of what the actor's state
 * already holds: Pekko applies events to the state before they are written. They are released once
 * the batch is durable ({@link Partition#persisted}), before any write of it is acknowledged, so a
 * client that saw its write acknowledged reads it (or something newer) here.
 *
 * <p>A partition that has not finished its recovery is not readable here: its reads go to its actor,
 * which answers them once recovered. After a journal failure the actor restarts; until its recovery
 * completes, the previous state (with the failed batch held aside) stays the answer.
 */
public final class CommittedReads {
  private static final CommittedReads NONE = new CommittedReads(List.of());

  /** A record read from durable state: {@code record} is null when the key has none. */
  public record Committed(Record record) {}

  private final Map<Integer, Partition> partitions;

  public CommittedReads(Collection<Integer> heldPartitions) {
    this.partitions = heldPartitions.stream()
        .collect(Collectors.toUnmodifiableMap(Function.identity(), partition -> new Partition()));
  }

  /** Partitions already recovered into {@code states}, readable at once. */
  public static CommittedReads recovered(Map<Integer, PartitionState> states) {
    CommittedReads reads = new CommittedReads(states.keySet());
    states.forEach((partition, state) -> reads.partition(partition).recovered(state));
    return reads;
  }

  /** No partitions: every read goes to the replica actors. */
  public static CommittedReads none() {
    return NONE;
  }

  /**
   * The durable record of {@code key}, or null when this node cannot answer from here now (the
   * partition is not held here or is recovering): then ask the replica actor.
   */
  public Committed read(int partition, String key) {
    Partition held = partitions.get(partition);
    return held == null ? null : held.read(key);
  }

  /** The view of one held partition, which its log keeps current; null when not held. */
  Partition partition(int partition) {
    return partitions.get(partition);
  }

  /** One partition's durable records: written by its log's actor only, read by any thread. */
  static final class Partition {
    /** The log's state once recovered; null before. */
    private volatile PartitionState state;

    /** For each key of the batch being persisted, its record before the batch (empty: none). */
    private final Map<String, Optional<Record>> persisting = new ConcurrentHashMap<>();

    Committed read(String key) {
      PartitionState current = state;
      if (current == null) {
        return null;
      }
      // The state first: a record that is not yet durable is put into it only after its key was
      // held aside, so whoever sees that record sees the key held aside too (until it is durable).
      Record stored = current.get(key);
      Optional<Record> before = persisting.get(key);
      return new Committed(before == null ? stored : before.orElse(null));
    }

    /** The log recovered into {@code recovered}: reads are answered from it. */
    void recovered(PartitionState recovered) {
      state = recovered;
      persisting.clear(); // after publishing: a failed batch stays hidden until the new state shows
    }

    /** {@code records} are about to be applied to {@code current} and persisted. */
    void persisting(PartitionState current, List<Record> records) {
      for (Record record : records) {
        persisting.put(record.key(), Optional.ofNullable(current.get(record.key())));
      }
    }

    /** {@code records} are durable in {@code current} (the log's state now): reads see them. */
    void persisted(PartitionState current, List<Record> records) {
      state = current; // the first write to an empty partition starts a new state object
      for (Record record : records) {
        persisting.remove(record.key());
      }
    }
  }
}
