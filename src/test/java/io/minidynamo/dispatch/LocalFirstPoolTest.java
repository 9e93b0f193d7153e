package io.minidynamo.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalFirstPoolTest {

  private static final long WATCHDOG_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** A watchdog that never looks within a test, so only the backlog's own signal can help. */
  private static final long NO_WATCHDOG = TimeUnit.HOURS.toNanos(1);

  private LocalFirstPool pool;

  private LocalFirstPool pool(int threads, int wakeThreshold) {
    return pool(threads, wakeThreshold, WATCHDOG_NANOS);
  }

  private LocalFirstPool pool(int threads, int wakeThreshold, long watchdogNanos) {
    pool = new LocalFirstPool(
        threads, wakeThreshold, watchdogNanos, Executors.defaultThreadFactory());
    return pool;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "workers did not stop");
    }
  }

  private static void await(CountDownLatch latch, String what) throws InterruptedException {
    assertTrue(latch.await(10, TimeUnit.SECONDS), what);
  }

  @Test
  void execute_fromOutside_runsTheTaskOnAWorker() throws InterruptedException {
    pool(2, 2);
    CountDownLatch ran = new CountDownLatch(1);
    AtomicReference<Thread> where = new AtomicReference<>();
    pool.execute(() -> {
      where.set(Thread.currentThread());
      ran.countDown();
    });
    await(ran, "the task did not run");
    assertNotEquals(Thread.currentThread(), where.get());
  }

  @Test
  void execute_fromAWorkerBelowTheThreshold_runsOnThatWorkerWithoutWakingAnother()
      throws InterruptedException {
    pool(4, 2);
    CountDownLatch started = new CountDownLatch(1);
    pool.execute(started::countDown);
    await(started, "the first task did not run");
    Poll.untilParked(pool);

    // a chain of 100 tasks, each submitted by the one before it: an actor messaging the next
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    CountDownLatch chainDone = new CountDownLatch(1);
    long wakeUpsBefore = pool.wakeUps();
    pool.execute(new Runnable() {
      int left = 100;

      @Override
      public void run() {
        threads.add(Thread.currentThread());
        if (--left > 0) {
          pool.execute(this);
        } else {
          chainDone.countDown();
        }
      }
    });
    await(chainDone, "the chain did not finish");
    assertEquals(1, threads.size(), "the chain ran on " + threads);
    assertEquals(1, pool.wakeUps() - wakeUpsBefore, "only the outside submission wakes a worker");
  }

  @Test
  void execute_aBacklogBeyondTheThreshold_wakesAnotherWorkerToTakeIt()
      throws InterruptedException {
    pool(2, 2, NO_WATCHDOG);
    Poll.untilParked(pool); // so the helper must be woken, not find the tasks while starting
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch helped = new CountDownLatch(1);
    AtomicReference<Thread> submitter = new AtomicReference<>();
    pool.execute(() -> {
      submitter.set(Thread.currentThread());
      for (int i = 0; i < 3; i++) { // one more than the threshold
        pool.execute(() -> {
          if (Thread.currentThread() != submitter.get()) {
            helped.countDown();
          }
        });
      }
      awaitQuietly(release); // hold this worker: only another one can run them now
    });
    try {
      await(helped, "no other worker took the backlog");
    } finally {
      release.countDown();
    }
  }

  @Test
  void execute_belowTheThresholdBehindABlockedTask_isTakenByAnotherWorkerViaTheWatchdog()
      throws InterruptedException {
    pool(2, 8);
    Poll.untilParked(pool); // so the helper must be woken, not find the task while starting
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch ran = new CountDownLatch(1);
    pool.execute(() -> {
      pool.execute(ran::countDown); // below the threshold: it waits for this worker...
      awaitQuietly(release); // ...which blocks, so the watchdog must hand it to the other one
    });
    try {
      await(ran, "the task behind a blocked one never ran");
    } finally {
      release.countDown();
    }
  }

  @Test
  void execute_fromManyThreadsAndWorkers_runsEveryTaskExactlyOnce() throws InterruptedException {
    pool(4, 2);
    int outside = 4;
    int perThread = 20_000;
    int chain = 3; // each outside task also submits a short chain from its worker
    AtomicInteger runs = new AtomicInteger();
    CountDownLatch all = new CountDownLatch(outside * perThread * chain);
    Runnable[] submitters = new Runnable[outside];
    for (int t = 0; t < outside; t++) {
      submitters[t] = () -> {
        for (int i = 0; i < perThread; i++) {
          pool.execute(chained(chain, runs, all));
        }
      };
    }
    Thread[] threads = new Thread[outside];
    for (int t = 0; t < outside; t++) {
      threads[t] = new Thread(submitters[t]);
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    await(all, "tasks left unrun: " + all.getCount());
    assertEquals(outside * perThread * chain, runs.get());
  }

  private Runnable chained(int length, AtomicInteger runs, CountDownLatch all) {
    return () -> {
      runs.incrementAndGet();
      all.countDown();
      if (length > 1) {
        pool.execute(chained(length - 1, runs, all));
      }
    };
  }

  @Test
  void shutdown_runsTheQueuedTasksThenStops() throws InterruptedException {
    pool(1, 2);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    pool.execute(() -> awaitQuietly(release));
    for (int i = 0; i < 10; i++) {
      pool.execute(ran::incrementAndGet);
    }
    pool.shutdown();
    assertThrows(RejectedExecutionException.class, () -> pool.execute(ran::incrementAndGet));
    release.countDown();
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    assertEquals(10, ran.get());
    assertTrue(pool.isTerminated());
  }

  @Test
  void shutdownNow_returnsTheTasksNotStarted() throws InterruptedException {
    pool(1, 2);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    pool.execute(() -> {
      started.countDown();
      awaitQuietly(release);
    });
    await(started, "the blocking task did not start");
    for (int i = 0; i < 5; i++) {
      pool.execute(() -> { });
    }
    List<Runnable> left = pool.shutdownNow();
    release.countDown();
    assertEquals(5, left.size());
    assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
  }

  @Test
  void execute_aTaskThatThrows_leavesTheWorkerRunning() throws InterruptedException {
    pool(1, 2);
    pool.execute(() -> {
      throw new IllegalStateException("expected by the test");
    });
    CountDownLatch ran = new CountDownLatch(1);
    pool.execute(ran::countDown);
    await(ran, "the worker died with the task that threw");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until the pool's workers have all gone idle. */
  private static final class Poll {
    static void untilParked(LocalFirstPool pool) {
      io.minidynamo.testing.Poll.until(
          java.time.Duration.ofSeconds(10), pool::allParked, () -> "workers still active");
    }
  }
}
