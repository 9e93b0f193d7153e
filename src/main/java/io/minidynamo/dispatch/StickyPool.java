package io.minidynamo.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread pool in which a task submitted by one of its workers stays with that worker and wakes no
 * other thread: the next hop of a chain of actor messages runs on the thread that sent it, after the
 * current task, instead of being handed to an idle worker that must be unparked for it (what a
 * {@link java.util.concurrent.ForkJoinPool} does on every push to an empty queue while a worker is
 * idle, and what costs a parked/unparked pair of threads per actor hop on a small machine).
 *
 * <p>Tasks from other threads (sockets, timers, the journal writer, remoting) go to a shared queue;
 * such a submission wakes a parked worker only when no worker is awake, since an awake worker takes
 * the shared queue before it parks. A worker runs its own tasks first, oldest first, but takes one
 * from the shared queue after every {@code FAIRNESS} of its own, and takes other workers' tasks
 * before it parks.
 *
 * <p>A task that blocks holds up the tasks queued behind it on its worker: a watchdog wakes a parked
 * worker whenever tasks are waiting and no task has finished for {@code stallNanos}; that worker then
 * takes the waiting tasks (its own queue is empty, so it takes the shared queue and steals).
 *
 * <p>Invariants: every submitted task runs once, unless the pool is shut down first; a worker parks
 * only after it has published that it is idle and seen no queued task since (no lost wake-up: a
 * submitter that queues a task and then sees no awake worker wakes one).
 */
final class StickyPool extends AbstractExecutorService {
  /** Own tasks run between two looks at the shared queue. */
  private static final int FAIRNESS = 32;
  /** Tasks already waiting in the shared queue at which a submission wakes one more worker. */
  private static final int BACKLOG = 2;

  private final Worker[] workers;
  private final ConcurrentLinkedQueue<Runnable> shared = new ConcurrentLinkedQueue<>();
  /** About the size of {@code shared} (counted up before an add, down after a poll). */
  private final AtomicInteger sharedWaiting = new AtomicInteger();
  private final ConcurrentLinkedDeque<Worker> parked = new ConcurrentLinkedDeque<>();
  private final AtomicInteger awake;
  private final long stallNanos;
  private final Thread watchdog;
  private volatile boolean shutdown;
  private final AtomicInteger running;

  StickyPool(int threads, long stallNanos, ThreadFactory threadFactory) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.stallNanos = stallNanos;
    this.workers = new Worker[threads];
    this.awake = new AtomicInteger(threads);
    this.running = new AtomicInteger(threads);
    for (int i = 0; i < threads; i++) {
      workers[i] = new Worker(threadFactory);
    }
    for (Worker worker : workers) {
      worker.thread.start();
    }
    this.watchdog = threadFactory.newThread(this::watch);
    watchdog.setDaemon(true);
    watchdog.start();
  }

  @Override
  public void execute(Runnable task) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("pool is shut down");
    }
    Worker self = currentWorker();
    if (self != null) {
      self.local.addLast(task);
      return;
    }
    int waiting = sharedWaiting.getAndIncrement();
    shared.add(task);
    // An awake worker takes the shared queue before it parks; a backlog means the awake ones are
    // not keeping up, and another worker is woken for it.
    if (awake.get() == 0 || waiting >= BACKLOG) {
      wakeOne();
    }
  }

  /** Workers not parked: running a task or looking for one. */
  int awakeWorkers() {
    return awake.get();
  }

  private Worker currentWorker() {
    Thread current = Thread.currentThread();
    for (Worker worker : workers) {
      if (worker.thread == current) {
        return worker;
      }
    }
    return null;
  }

  private void wakeOne() {
    Worker worker = parked.pollFirst();
    if (worker != null) {
      awake.incrementAndGet();
      worker.parkedFlag = false;
      LockSupport.unpark(worker.thread);
    }
  }

  private boolean hasQueuedTasks() {
    if (!shared.isEmpty()) {
      return true;
    }
    for (Worker worker : workers) {
      if (!worker.local.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private long completedTasks() {
    long sum = 0;
    for (Worker worker : workers) {
      sum += worker.completed.get();
    }
    return sum;
  }

  /** Wakes a worker when tasks wait and none finished for a stall period (or none is awake). */
  private void watch() {
    long lastCompleted = -1;
    while (!shutdown) {
      LockSupport.parkNanos(stallNanos);
      long completed = completedTasks();
      if (hasQueuedTasks() && (completed == lastCompleted || awake.get() == 0)) {
        wakeOne();
      }
      lastCompleted = completed;
    }
  }

  private Runnable pollShared() {
    Runnable task = shared.poll();
    if (task != null) {
      sharedWaiting.decrementAndGet();
    }
    return task;
  }

  private final class Worker implements Runnable {
    final ConcurrentLinkedDeque<Runnable> local = new ConcurrentLinkedDeque<>();
    final AtomicLong completed = new AtomicLong();
    final Thread thread;
    volatile boolean parkedFlag;

    Worker(ThreadFactory threadFactory) {
      this.thread = threadFactory.newThread(this);
    }

    @Override
    public void run() {
      int ownInARow = 0;
      try {
        while (!shutdown) {
          Runnable task = null;
          if (ownInARow >= FAIRNESS) {
            ownInARow = 0;
            task = pollShared();
          }
          if (task == null) {
            task = local.pollFirst();
            if (task != null) {
              ownInARow++;
            }
          }
          if (task == null) {
            ownInARow = 0;
            task = pollShared();
          }
          if (task == null) {
            task = steal();
          }
          if (task == null) {
            park();
            continue;
          }
          try {
            task.run();
          } catch (Throwable failure) {
            Thread.UncaughtExceptionHandler handler = thread.getUncaughtExceptionHandler();
            if (handler != null) {
              handler.uncaughtException(thread, failure);
            }
          }
          completed.lazySet(completed.get() + 1);
        }
      } finally {
        running.decrementAndGet();
      }
    }

    private Runnable steal() {
      for (Worker other : workers) {
        if (other != this) {
          Runnable task = other.local.pollFirst();
          if (task != null) {
            return task;
          }
        }
      }
      return null;
    }

    private void park() {
      parkedFlag = true;
      parked.addFirst(this);
      awake.decrementAndGet();
      if (hasQueuedTasks() || shutdown) {
        if (parked.removeFirstOccurrence(this)) { // nobody woke this worker: it goes on by itself
          awake.incrementAndGet();
          parkedFlag = false;
          return;
        }
      }
      while (parkedFlag && !shutdown) {
        LockSupport.park(this);
      }
    }
  }

  @Override
  public void shutdown() {
    shutdown = true;
    for (Worker worker : workers) {
      LockSupport.unpark(worker.thread);
    }
    LockSupport.unpark(watchdog);
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown();
    List<Runnable> left = new ArrayList<>(shared);
    shared.clear();
    for (Worker worker : workers) {
      left.addAll(worker.local);
      worker.local.clear();
    }
    return left;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown && running.get() == 0;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    for (Worker worker : workers) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return isTerminated();
      }
      TimeUnit.NANOSECONDS.timedJoin(worker.thread, left);
    }
    return isTerminated();
  }
}
