package io.minidynamo.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Recovery bookkeeping: sums per partition, and the time to the last partition ready. */
class RecoveryStatsTest {
  private final AtomicLong millis = new AtomicLong(10_000);

  @Test
  void snapshot_beforeAnyPartition_isEmptyWithNoRecoveryTime() {
    RecoveryStats stats = new RecoveryStats(4, millis::get);
    assertEquals(new RecoveryStats.Snapshot(4, 0, 0, 0, -1), stats.snapshot());
  }

  @Test
  void partitionRecovered_sumsRecordsAndEvents() {
    RecoveryStats stats = new RecoveryStats(4, millis::get);
    stats.partitionRecovered(10, 3);
    stats.partitionRecovered(5, 0);
    assertEquals(new RecoveryStats.Snapshot(4, 2, 15, 3, -1), stats.snapshot());
  }

  @Test
  void partitionRecovered_lastPartition_setsTheTimeSinceStart() {
    RecoveryStats stats = new RecoveryStats(2, millis::get);
    millis.addAndGet(300);
    stats.partitionRecovered(1, 1);
    millis.addAndGet(450);
    stats.partitionRecovered(2, 2);
    assertEquals(new RecoveryStats.Snapshot(2, 2, 3, 3, 750), stats.snapshot());
  }

  @Test
  void partitionRecovered_beyondTheExpectedCount_keepsTheFirstCompletionTime() {
    RecoveryStats stats = new RecoveryStats(1, millis::get);
    millis.addAndGet(100);
    stats.partitionRecovered(1, 1);
    millis.addAndGet(900);
    stats.partitionRecovered(1, 1);
    assertEquals(100, stats.snapshot().recoveryMillis());
  }
}
