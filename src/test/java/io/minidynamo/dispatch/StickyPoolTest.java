package io.minidynamo.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StickyPoolTest {
  private static final long NO_STALL_CHECK = TimeUnit.SECONDS.toNanos(60);
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  private StickyPool pool;

  @AfterEach
  void stop() throws InterruptedException {
    if (pool != null) {
      pool.shutdown();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "workers still running after shutdown");
    }
  }

  @Test
  void execute_fromManyThreads_runsEveryTaskExactlyOnce() throws InterruptedException {
    pool = new StickyPool(3, TimeUnit.MILLISECONDS.toNanos(5), Executors.defaultThreadFactory());
    int submitters = 4;
    int perSubmitter = 20_000;
    AtomicIntegerArray runs = new AtomicIntegerArray(submitters * perSubmitter);
    CountDownLatch done = new CountDownLatch(submitters * perSubmitter);
    List<Thread> threads = new ArrayList<>();
    for (int s = 0; s < submitters; s++) {
      int first = s * perSubmitter;
      threads.add(new Thread(() -> {
        for (int i = first; i < first + perSubmitter; i++) {
          int task = i;
          // every other task submits its successor from inside the pool, as an actor's send does
          pool.execute(() -> {
            if (task % 2 == 0) {
              pool.execute(() -> {
                runs.incrementAndGet(task);
                done.countDown();
              });
            } else {
              runs.incrementAndGet(task);
              done.countDown();
            }
          });
        }
      }));
    }
    threads.forEach(Thread::start);
    assertTrue(done.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "tasks left: " + done.getCount());
    for (int i = 0; i < runs.length(); i++) {
      assertEquals(1, runs.get(i), "task " + i);
    }
  }

  @Test
  void execute_fromAWorker_staysOnThatWorker() throws InterruptedException {
    pool = new StickyPool(4, NO_STALL_CHECK, Executors.defaultThreadFactory());
    awaitCondition("all workers parked", () -> pool.awakeWorkers() == 0);
    Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
    CountDownLatch done = new CountDownLatch(1);
    AtomicInteger hops = new AtomicInteger();
    Runnable[] hop = new Runnable[1];
    hop[0] = () -> {
      ranOn.add(Thread.currentThread());
      if (hops.incrementAndGet() < 10_000) {
        pool.execute(hop[0]);
      } else {
        done.countDown();
      }
    };
    pool.execute(hop[0]);
    assertTrue(done.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "hops run: " + hops.get());
    assertEquals(1, ranOn.size(), "a chain of hops moved between threads: " + ranOn);
  }

  @Test
  void aBlockedTask_doesNotHoldUpTheTasksQueuedBehindIt() throws InterruptedException {
    pool = new StickyPool(2, TimeUnit.MILLISECONDS.toNanos(5), Executors.defaultThreadFactory());
    awaitCondition("all workers parked", () -> pool.awakeWorkers() == 0);
    CountDownLatch queuedRan = new CountDownLatch(1);
    CountDownLatch blockerDone = new CountDownLatch(1);
    pool.execute(() -> {
      // queued on this worker, then this worker blocks until it has run elsewhere
      pool.execute(queuedRan::countDown);
      try {
        if (queuedRan.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
          blockerDone.countDown();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertTrue(blockerDone.await(DEADLINE.toSeconds() + 5, TimeUnit.SECONDS),
        "the task queued behind a blocked one never ran");
  }

  @Test
  void anExternalTask_wakesAParkedPool() throws InterruptedException {
    pool = new StickyPool(2, NO_STALL_CHECK, Executors.defaultThreadFactory());
    for (int round = 0; round < 200; round++) {
      awaitCondition("all workers parked", () -> pool.awakeWorkers() == 0);
      CountDownLatch ran = new CountDownLatch(1);
      pool.execute(ran::countDown);
      assertTrue(ran.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "round " + round + " not run");
    }
  }

  @Test
  void afterShutdown_executeIsRefusedAndWorkersEnd() throws InterruptedException {
    StickyPool stopped = new StickyPool(2, NO_STALL_CHECK, Executors.defaultThreadFactory());
    stopped.shutdown();
    assertThrows(RejectedExecutionException.class, () -> stopped.execute(() -> { }));
    assertTrue(stopped.awaitTermination(10, TimeUnit.SECONDS));
    assertTrue(stopped.isTerminated());
  }

  @Test
  void threads_belowOne_areRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new StickyPool(0, NO_STALL_CHECK, Executors.defaultThreadFactory()));
  }

  private static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + DEADLINE + ": " + what);
      }
      Thread.sleep(1);
    }
  }
}
