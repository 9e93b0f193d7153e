package io.minidynamo.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The read-repair token bucket, on a clock the test moves. */
class RepairBudgetTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong nanos = new AtomicLong(42 * SECOND);

  @Test
  void tryAcquire_freshBudget_grantsOneSecondsWorthAsABurst() {
    RepairBudget budget = new RepairBudget(10, nanos::get);
    assertTrue(budget.tryAcquire(10));
    assertFalse(budget.tryAcquire(1));
  }

  @Test
  void tryAcquire_moreThanLeft_grantsNothing() {
    RepairBudget budget = new RepairBudget(10, nanos::get);
    assertTrue(budget.tryAcquire(7));
    assertFalse(budget.tryAcquire(4)); // all or none
    assertTrue(budget.tryAcquire(3)); // the refused request took nothing
    assertEquals(10, budget.sent());
    assertEquals(4, budget.skipped());
  }

  @Test
  void tryAcquire_afterTimePasses_refillsAtTheRate() {
    RepairBudget budget = new RepairBudget(10, nanos::get);
    assertTrue(budget.tryAcquire(10));
    nanos.addAndGet(SECOND / 10); // one token's worth
    assertTrue(budget.tryAcquire(1));
    assertFalse(budget.tryAcquire(1));
    nanos.addAndGet(SECOND / 2);
    assertTrue(budget.tryAcquire(5));
    assertFalse(budget.tryAcquire(1));
  }

  @Test
  void tryAcquire_afterALongIdle_neverHoldsMoreThanOneSecondsWorth() {
    RepairBudget budget = new RepairBudget(10, nanos::get);
    assertTrue(budget.tryAcquire(10));
    nanos.addAndGet(3_600 * SECOND);
    assertFalse(budget.tryAcquire(11));
    assertTrue(budget.tryAcquire(10));
    assertFalse(budget.tryAcquire(1));
  }

  @Test
  void tryAcquire_partialTokensAccumulateAcrossCalls() {
    RepairBudget budget = new RepairBudget(10, nanos::get);
    assertTrue(budget.tryAcquire(10));
    nanos.addAndGet(SECOND / 20); // half a token
    assertFalse(budget.tryAcquire(1));
    nanos.addAndGet(SECOND / 20); // the other half: the refused call must not have lost the first
    assertTrue(budget.tryAcquire(1));
  }

  @Test
  void sentAndSkipped_countRepairsNotCalls() {
    RepairBudget budget = new RepairBudget(5, nanos::get);
    assertTrue(budget.tryAcquire(2));
    assertTrue(budget.tryAcquire(3));
    assertFalse(budget.tryAcquire(2));
    assertFalse(budget.tryAcquire(1));
    assertEquals(5, budget.sent());
    assertEquals(3, budget.skipped());
  }
}
