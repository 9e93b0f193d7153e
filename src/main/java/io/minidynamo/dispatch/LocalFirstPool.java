package io.minidynamo.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread pool in which a task submitted by one of its workers runs on that worker, after the
 * task it is running, unless that worker has fallen behind: an actor's message to another actor of
 * the same dispatcher then costs no thread wake-up. Only tasks from outside the pool (a socket's
 * selector thread, remoting's thread, the journal's writer thread, the scheduler) and a backlog
 * wake a parked worker.
 *
 * <p>Why: the JDK's {@code ForkJoinPool} wakes an idle worker whenever a worker pushes a task into
 * its empty queue, so every hop of a request from one actor to the next woke a second thread,
 * which stole the task or found nothing, and parked again. On a machine with few cores that
 * park/unpark cycle (futex, and often an interrupt to the other CPU) cost more than the actors'
 * own work (docs/benchmarks.md, sessions 5, 8 and 13).
 *
 * <p>Invariants:
 *
 * <ul>
 *   <li>A worker runs, in order of preference: its own queue (FIFO), the shared queue (FIFO), the
 *       oldest task of another worker's queue. It parks only after it has published itself as idle
 *       and then found all of them empty, so a task is never left while every worker sleeps.
 *   <li>A parked worker is woken when a task arrives from outside the pool, when a worker's own
 *       queue or the shared queue holds more than {@code wakeThreshold} tasks, and by the watchdog
 *       when a worker has run the same task for a watchdog period while tasks wait in its queue (a
 *       task that blocks cannot hold up the others for longer than that).
 *   <li>At most one woken worker is searching for work at a time; it wakes the next one only if
 *       it finds a backlog, so a burst wakes as many workers as it keeps busy.
 * </ul>
 */
public final class LocalFirstPool extends AbstractExecutorService {

  private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();

  private static final int RUNNING = 0;
  private static final int SHUTDOWN = 1;
  private static final int STOP = 2;
  private static final int IDLE_WATCH_FACTOR = 16;

  private final Worker[] workers;
  private final ConcurrentLinkedQueue<Runnable> shared = new ConcurrentLinkedQueue<>();
  private final AtomicInteger sharedSize = new AtomicInteger();
  /** Parked workers, the most recently parked first (its caches are the warmest). */
  private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
  /** Workers woken by a signal that have not yet found a task or parked again. */
  private final AtomicInteger searching = new AtomicInteger();
  private final int wakeThreshold;
  private final long watchdogNanos;
  private final CountDownLatch terminated;
  private final Thread watchdog;
  private final AtomicLong wakeUps = new AtomicLong();
  private volatile int runState = RUNNING;

  /**
   * @param threads the number of workers, started at once
   * @param wakeThreshold how many tasks may wait in one queue before a parked worker is woken to
   *     help (0: wake one for every task pushed, like the JDK's pool)
   * @param watchdogPeriodNanos how often the watchdog looks for workers stuck on one task while
   *     others wait behind it
   */
  public LocalFirstPool(
      int threads, int wakeThreshold, long watchdogPeriodNanos, ThreadFactory threadFactory) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, not " + threads);
    }
    if (wakeThreshold < 0) {
      throw new IllegalArgumentException("wakeThreshold must not be negative");
    }
    this.wakeThreshold = wakeThreshold;
    this.watchdogNanos = watchdogPeriodNanos;
    this.workers = new Worker[threads];
    this.terminated = new CountDownLatch(threads);
    for (int i = 0; i < threads; i++) {
      workers[i] = new Worker();
      workers[i].thread = threadFactory.newThread(workers[i]);
    }
    this.watchdog = new Thread(this::watch, workers[0].thread.getName() + "-watchdog");
    watchdog.setDaemon(true);
    for (Worker worker : workers) {
      worker.thread.start();
    }
    watchdog.start();
  }

  @Override
  public void execute(Runnable task) {
    if (task == null) {
      throw new NullPointerException("task");
    }
    if (runState != RUNNING) {
      throw new RejectedExecutionException("pool is shut down");
    }
    Worker self = CURRENT.get();
    if (self != null && self.pool() == this) {
      if (self.push(task) > wakeThreshold) {
        signal();
      }
    } else {
      shared.offer(task);
      sharedSize.incrementAndGet();
      signal();
    }
  }

  /** Wakes one parked worker unless one is already awake and looking for work. */
  private void signal() {
    while (searching.get() == 0) {
      Worker worker = idle.pollFirst();
      if (worker == null) {
        return; // every worker is busy: each looks at the queues before it parks
      }
      searching.incrementAndGet();
      if (worker.claim(Worker.SIGNALLED)) {
        wakeUps.incrementAndGet();
        LockSupport.unpark(worker.thread);
        return;
      }
      searching.decrementAndGet(); // it woke up by itself meanwhile: try the next one
    }
  }

  /** The next task for {@code self}: its own, then the shared queue's, then another worker's. */
  private Runnable next(Worker self) {
    Runnable task = self.poll();
    if (task != null) {
      return task;
    }
    task = shared.poll();
    if (task != null) {
      sharedSize.decrementAndGet();
      return task;
    }
    for (Worker other : workers) {
      if (other != self && (task = other.poll()) != null) {
        return task;
      }
    }
    return null;
  }

  private boolean backlog() {
    return sharedSize.get() > wakeThreshold;
  }

  private void work(Worker self) {
    CURRENT.set(self);
    boolean searcher = false; // holds one count of `searching`
    try {
      while (true) {
        Runnable task = next(self);
        if (task == null) {
          if (runState != RUNNING && (runState == STOP || isQuiescent())) {
            return;
          }
          if (searcher) {
            searcher = false;
            searching.decrementAndGet();
          }
          self.state = Worker.PARKED;
          idle.addFirst(self);
          task = next(self); // a task pushed before we were listed as idle
          if (task == null && runState == RUNNING) {
            while (self.state == Worker.PARKED && runState == RUNNING) {
              LockSupport.park(this);
            }
          }
          if (self.claim(Worker.ACTIVE)) {
            idle.remove(self); // woke up by itself or found a task: nobody took it off the list
          } else { // a signal took it off the list and counted it as searching
            self.state = Worker.ACTIVE;
            searcher = true;
          }
          if (task == null) {
            continue;
          }
        }
        if (searcher) {
          searcher = false;
          searching.decrementAndGet();
          if (backlog()) {
            signal();
          }
        }
        run(self, task);
      }
    } finally {
      if (searcher) {
        searching.decrementAndGet();
      }
      terminated.countDown();
    }
  }

  private void run(Worker self, Runnable task) {
    self.running = true;
    try {
      task.run();
    } catch (Throwable e) {
      Thread t = Thread.currentThread();
      Thread.UncaughtExceptionHandler handler = t.getUncaughtExceptionHandler();
      if (handler != null) {
        handler.uncaughtException(t, e);
      }
    } finally {
      self.running = false;
      self.completed++;
    }
  }

  /**
   * Every watchdog period: a worker that has been running one task since the last look while
   * tasks wait in its queue gets a parked worker woken, which takes them. While every worker is
   * parked the watchdog looks less and less often (up to {@link #IDLE_WATCH_FACTOR} periods): each
   * of its wake-ups costs CPU on an idle node too.
   */
  private void watch() {
    long[] seen = new long[workers.length];
    long sleep = watchdogNanos;
    while (runState != STOP && terminated.getCount() > 0) {
      LockSupport.parkNanos(this, sleep);
      boolean allParked = true;
      for (int i = 0; i < workers.length; i++) {
        Worker worker = workers[i];
        long completed = worker.completed;
        if (worker.running && completed == seen[i] && worker.size() > 0) {
          signal();
        }
        allParked &= completed == seen[i] && worker.state != Worker.ACTIVE;
        seen[i] = completed;
      }
      if (sharedSize.get() > 0 && searching.get() == 0) {
        signal();
        allParked = false;
      }
      sleep = allParked ? Math.min(sleep * 2, watchdogNanos * IDLE_WATCH_FACTOR) : watchdogNanos;
    }
  }

  private boolean isQuiescent() {
    if (!shared.isEmpty()) {
      return false;
    }
    for (Worker worker : workers) {
      if (worker.size() > 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether every worker is parked (for tests). */
  boolean allParked() {
    for (Worker worker : workers) {
      if (worker.state != Worker.PARKED) {
        return false;
      }
    }
    return true;
  }

  /** How many times a parked worker was woken by a signal (not by itself). */
  public long wakeUps() {
    return wakeUps.get();
  }

  @Override
  public void shutdown() {
    if (runState == RUNNING) {
      runState = SHUTDOWN;
    }
    wakeAll();
  }

  @Override
  public List<Runnable> shutdownNow() {
    runState = STOP;
    List<Runnable> left = new ArrayList<>();
    for (Runnable task; (task = shared.poll()) != null; ) {
      left.add(task);
    }
    for (Worker worker : workers) {
      for (Runnable task; (task = worker.poll()) != null; ) {
        left.add(task);
      }
    }
    wakeAll();
    return left;
  }

  private void wakeAll() {
    for (Worker worker : workers) {
      LockSupport.unpark(worker.thread);
    }
    LockSupport.unpark(watchdog);
  }

  @Override
  public boolean isShutdown() {
    return runState != RUNNING;
  }

  @Override
  public boolean isTerminated() {
    return terminated.getCount() == 0;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return terminated.await(timeout, unit);
  }

  /** One worker thread and its own queue, which other workers may take from. */
  private final class Worker implements Runnable {
    static final int ACTIVE = 0;
    static final int PARKED = 1;
    static final int SIGNALLED = 2;

    private final ArrayDeque<Runnable> queue = new ArrayDeque<>(); // guarded by this
    Thread thread;
    /** ACTIVE, PARKED (listed in {@code idle}), or SIGNALLED (taken off the list by a signal). */
    volatile int state = ACTIVE;
    volatile boolean running;
    volatile long completed;

    LocalFirstPool pool() {
      return LocalFirstPool.this;
    }

    /** Moves a parked worker to {@code to}; false if it was not parked. */
    synchronized boolean claim(int to) {
      if (state != PARKED) {
        return false;
      }
      state = to;
      return true;
    }

    /** Adds a task, and returns how many wait in this queue now. */
    synchronized int push(Runnable task) {
      queue.addLast(task);
      return queue.size();
    }

    synchronized Runnable poll() {
      return queue.pollFirst();
    }

    synchronized int size() {
      return queue.size();
    }

    @Override
    public void run() {
      work(this);
    }
  }
}
