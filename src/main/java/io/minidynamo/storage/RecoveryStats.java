package io.minidynamo.storage;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * How this node's replica partitions recovered at start: records restored, events replayed from the
 * journal (beyond the snapshots), and how long until the last partition was ready. Thread-safe:
 * written by the partition logs, read by {@code /debug/persist}.
 */
public final class RecoveryStats {
  private final LongSupplier clockMillis;
  private final long startedAtMillis;
  private final int partitions;
  /** Per partition, what its latest recovery restored: {records, events replayed}. */
  private final Map<Integer, long[]> byPartition = new ConcurrentHashMap<>();
  private final AtomicLong completedAfterMillis = new AtomicLong(-1);

  /** What {@code /debug/persist} shows. */
  public record Snapshot(
      int partitions, int partitionsRecovered, long records, long eventsReplayed, long recoveryMillis) {}

  public RecoveryStats(int partitions, LongSupplier clockMillis) {
    this.partitions = partitions;
    this.clockMillis = clockMillis;
    this.startedAtMillis = clockMillis.getAsLong();
  }

  /**
   * Partition {@code partition} finished a recovery with {@code records} keys after replaying
   * events. A partition that recovers again (its actor restarted after a failure) replaces its
   * figures: it is counted once, so the node is not reported recovered while another partition
   * still is not.
   *
   * @return true for the call that completes the node's recovery (the last partition)
   */
  public boolean partitionRecovered(int partition, long partitionRecords, long partitionEventsReplayed) {
    byPartition.put(partition, new long[] {partitionRecords, partitionEventsReplayed});
    if (byPartition.size() >= partitions) {
      return completedAfterMillis.compareAndSet(-1, clockMillis.getAsLong() - startedAtMillis);
    }
    return false;
  }

  public Snapshot snapshot() {
    long records = 0;
    long events = 0;
    int recovered = 0;
    for (long[] figures : byPartition.values()) {
      records += figures[0];
      events += figures[1];
      recovered++;
    }
    return new Snapshot(partitions, recovered, records, events, completedAfterMillis.get());
  }
}
