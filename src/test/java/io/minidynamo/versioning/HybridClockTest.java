package io.minidynamo.versioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link HybridClock} driven by a wall clock the test controls. */
class HybridClockTest {

  @Test
  void now_frozenWallClock_strictlyIncreases() {
    HybridClock clock = new HybridClock(() -> 1_000L);
    long previous = clock.now();
    for (int i = 0; i < 10_000; i++) {
      long next = clock.now();
      assertTrue(next > previous, next + " after " + previous);
      previous = next;
    }
  }

  @Test
  void now_wallClockMovingBackwards_strictlyIncreases() {
    AtomicLong wall = new AtomicLong(1_000_000L);
    HybridClock clock = new HybridClock(wall::get);
    long previous = clock.now();
    for (int i = 0; i < 1_000; i++) {
      wall.addAndGet(-997); // an NTP step backwards on every call
      long next = clock.now();
      assertTrue(next > previous, next + " after " + previous);
      previous = next;
    }
  }

  @Test
  void now_wallClockAhead_isNeverBelowIt() {
    AtomicLong wall = new AtomicLong(5_000L);
    HybridClock clock = new HybridClock(wall::get);
    for (int i = 0; i < 1_000; i++) {
      wall.addAndGet(i % 3 == 0 ? 50 : 0);
      assertTrue(clock.now() >= wall.get());
    }
  }

  @Test
  void now_firstCall_isTheWallClock() {
    assertEquals(123_456L, new HybridClock(() -> 123_456L).now());
  }

  @Test
  void observe_futureTimestamp_movesLaterNowAboveIt() {
    HybridClock clock = new HybridClock(() -> 1_000L);
    clock.observe(9_000_000L);
    assertTrue(clock.now() > 9_000_000L);
  }

  @Test
  void observe_pastTimestamp_doesNotMoveTheClockBack() {
    AtomicLong wall = new AtomicLong(1_000L);
    HybridClock clock = new HybridClock(wall::get);
    long before = clock.now();
    clock.observe(10L);
    assertTrue(clock.now() > before);
  }

  @Test
  void now_wallClockPassesObservedFutureTimestamp_followsTheWallClockAgain() {
    AtomicLong wall = new AtomicLong(1_000L);
    HybridClock clock = new HybridClock(wall::get);
    long farFuture = 60_000_000L;
    clock.observe(farFuture);
    assertEquals(farFuture + 1, clock.now());
    assertEquals(farFuture + 2, clock.now());

    wall.set(farFuture + 1_000);
    assertEquals(farFuture + 1_000, clock.now());
    wall.set(farFuture + 2_000);
    assertEquals(farFuture + 2_000, clock.now());
  }

  @Test
  void now_concurrentCallers_neverGetTheSameTimestamp() throws Exception {
    HybridClock clock = new HybridClock(() -> 42L);
    int threads = 4;
    int perThread = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      Callable<long[]> stamp = () -> {
        long[] stamps = new long[perThread];
        for (int i = 0; i < perThread; i++) {
          stamps[i] = clock.now();
        }
        return stamps;
      };
      List<Future<long[]>> futures = pool.invokeAll(List.of(stamp, stamp, stamp, stamp));
      Set<Long> seen = new HashSet<>();
      for (Future<long[]> future : futures) {
        for (long stampValue : future.get()) {
          assertTrue(seen.add(stampValue), "duplicate timestamp " + stampValue);
        }
      }
      assertEquals(threads * perThread, seen.size());
    } finally {
      pool.shutdownNow();
    }
  }
}
