package io.minidynamo.storage;

import java.util.concurrent.atomic.AtomicInteger;
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
  private final AtomicInteger recovered = new AtomicInteger();
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong eventsReplayed = new AtomicLong();
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
   * A partition finished its first recovery with {@code records} keys after replaying events.
   *
   * @return true for the call that completes the node's recovery (the last partition)
   */
  public boolean partitionRecovered(long partitionRecords, long partitionEventsReplayed) {
    records.addAndGet(partitionRecords);
    eventsReplayed.addAndGet(partitionEventsReplayed);
    if (recovered.incrementAndGet() == partitions) {
      completedAfterMillis.set(clockMillis.getAsLong() - startedAtMillis);
      return true;
    }
    return false;
  }

  public Snapshot snapshot() {
    return new Snapshot(
        partitions, recovered.get(), records.get(), eventsReplayed.get(), completedAfterMillis.get());
  }
}
