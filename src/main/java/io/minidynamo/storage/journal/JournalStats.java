package io.minidynamo.storage.journal;

/**
 * A consistent, immutable view of the journal for a debug endpoint.
 *
 * @param running false if no {@link SegmentJournal} is running in this actor system (all other
 *     fields are then zero or empty)
 * @param dataDir the directory holding the segment files
 * @param journalBytes bytes in all segment files
 * @param segments number of segment files
 * @param durability {@code fsync} or {@code none}
 * @param fsyncs forces of segment files since start
 * @param batches group commits since start that carried at least one write
 * @param writes atomic writes committed since start
 * @param events events committed since start
 * @param meanWritesPerBatch writes per group commit (one fsync each with durability fsync)
 * @param maxWritesPerBatch largest number of writes in one group commit
 * @param meanEventsPerBatch events per group commit
 * @param maxEventsPerBatch largest number of events in one group commit
 * @param recordsCutAtRecovery torn or corrupt tail records cut at start (each cut also drops any
 *     unreadable bytes after that record)
 * @param bytesCutAtRecovery bytes cut at start
 * @param recoveryScanMillis time the start-up scan took
 */
public record JournalStats(
    boolean running,
    String dataDir,
    long journalBytes,
    int segments,
    String durability,
    long fsyncs,
    long batches,
    long writes,
    long events,
    double meanWritesPerBatch,
    long maxWritesPerBatch,
    double meanEventsPerBatch,
    long maxEventsPerBatch,
    long recordsCutAtRecovery,
    long bytesCutAtRecovery,
    long recoveryScanMillis) {

  static final JournalStats NOT_RUNNING =
      new JournalStats(false, "", 0, 0, "", 0, 0, 0, 0, 0.0, 0, 0.0, 0, 0, 0, 0);
}
