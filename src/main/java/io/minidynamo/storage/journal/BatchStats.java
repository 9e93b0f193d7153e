package io.minidynamo.storage.journal;

/**
 * Counters of the group-commit writer: fsyncs and the size of each committed batch (atomic writes
 * and events). Written by the writer thread, read by stats requests; synchronized because the
 * snapshot must be consistent across fields and the cost is one uncontended lock per batch.
 */
final class BatchStats {

  /** An immutable copy of the counters. */
  record Snapshot(
      long fsyncs,
      long batches,
      long writes,
      long events,
      long maxWritesPerBatch,
      long maxEventsPerBatch) {

    double meanWritesPerBatch() {
      return batches == 0 ? 0.0 : (double) writes / batches;
    }

    double meanEventsPerBatch() {
      return batches == 0 ? 0.0 : (double) events / batches;
    }
  }

  private long fsyncs;
  private long batches;
  private long writes;
  private long events;
  private long maxWrites;
  private long maxEvents;

  synchronized void recordFsync() {
    fsyncs++;
  }

  /** Records a committed batch; batches of only deletion markers carry no writes and count not. */
  synchronized void recordBatch(int batchWrites, int batchEvents) {
    if (batchWrites == 0) {
      return;
    }
    batches++;
    writes += batchWrites;
    events += batchEvents;
    maxWrites = Math.max(maxWrites, batchWrites);
    maxEvents = Math.max(maxEvents, batchEvents);
  }

  synchronized Snapshot snapshot() {
    return new Snapshot(fsyncs, batches, writes, events, maxWrites, maxEvents);
  }
}
