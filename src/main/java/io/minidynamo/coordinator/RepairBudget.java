package io.minidynamo.coordinator;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A node-wide token bucket for read repairs, so a hot key read through many coordinators at once
 * cannot cause a repair storm: at most {@code perSecond} repair writes per second (with a burst of
 * one second's worth); a repair over budget is skipped and left to anti-entropy. Thread-safe.
 */
public final class RepairBudget {
  private final long perSecond;
  private final LongSupplier nanoTime;
  private double tokens;
  private long lastRefill;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();

  public RepairBudget(long perSecond, LongSupplier nanoTime) {
    this.perSecond = perSecond;
    this.nanoTime = nanoTime;
    this.tokens = perSecond;
    this.lastRefill = nanoTime.getAsLong();
  }

  /** Takes {@code count} repairs from the budget, all or none. */
  public synchronized boolean tryAcquire(int count) {
    long now = nanoTime.getAsLong();
    tokens = Math.min(perSecond, tokens + (now - lastRefill) * perSecond / 1e9);
    lastRefill = now;
    if (tokens >= count) {
      tokens -= count;
      sent.addAndGet(count);
      return true;
    }
    skipped.addAndGet(count);
    return false;
  }

  public long sent() {
    return sent.get();
  }

  public long skipped() {
    return skipped.get();
  }
}
