package io.minidynamo.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    stats.partitionRecovered(0, 10, 3);
    stats.partitionRecovered(1, 5, 0);
    assertEquals(new RecoveryStats.Snapshot(4, 2, 15, 3, -1), stats.snapshot());
  }

  @Test
  void partitionRecovered_lastPartition_setsTheTimeSinceStart() {
    RecoveryStats stats = new RecoveryStats(2, millis::get);
    millis.addAndGet(300);
    stats.partitionRecovered(0, 1, 1);
    millis.addAndGet(450);
    stats.partitionRecovered(1, 2, 2);
    assertEquals(new RecoveryStats.Snapshot(2, 2, 3, 3, 750), stats.snapshot());
  }

  @Test
  void partitionRecovered_beyondTheExpectedCount_keepsTheFirstCompletionTime() {
    RecoveryStats stats = new RecoveryStats(1, millis::get);
    millis.addAndGet(100);
    assertTrue(stats.partitionRecovered(0, 1, 1));
    millis.addAndGet(900);
    assertFalse(stats.partitionRecovered(0, 1, 1));
    assertEquals(100, stats.snapshot().recoveryMillis());
  }

  @Test
  void partitionRecovered_again_countsThePartitionOnceWithItsLatestFigures() {
    RecoveryStats stats = new RecoveryStats(2, millis::get);
    assertFalse(stats.partitionRecovered(7, 10, 4));
    assertFalse(stats.partitionRecovered(7, 12, 6), "partition 7 twice is not two partitions");
    assertEquals(new RecoveryStats.Snapshot(2, 1, 12, 6, -1), stats.snapshot());
    assertTrue(stats.partitionRecovered(8, 1, 0));
    assertEquals(new RecoveryStats.Snapshot(2, 2, 13, 6, 0), stats.snapshot());
  }
}
