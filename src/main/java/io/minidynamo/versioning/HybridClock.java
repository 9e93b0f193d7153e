package io.minidynamo.versioning;

import java.util.function.LongSupplier;

/**
 * A per-node hybrid logical clock in microseconds since the epoch.
 *
 * <p>Invariants: {@link #now()} is never below the wall clock, strictly increases on every call, and
 * after {@link #observe(long)} of a timestamp every later {@code now()} is above it. Microsecond
 * resolution (rather than milliseconds) keeps two sequential writes through different nodes of one
 * machine ordered even when they fall in the same millisecond; observing the timestamps a node sees
 * carries the order across nodes whose wall clocks disagree.
 *
 * <p>Thread-safe: coordinators on any dispatcher thread stamp writes.
 */
public final class HybridClock {
  private final LongSupplier wallMicros;
  private long last;

  /** @param wallMicros the wall clock in microseconds since the epoch (passed in so tests control it) */
  public HybridClock(LongSupplier wallMicros) {
    this.wallMicros = wallMicros;
  }

  /** The system wall clock, shifted by {@code offsetMillis} (a test-only skew; 0 in production). */
  public static HybridClock system(long offsetMillis) {
    long offsetMicros = offsetMillis * 1000;
    return new HybridClock(() -> {
      java.time.Instant now = java.time.Instant.now();
      return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000 + offsetMicros;
    });
  }

  /** A fresh timestamp: above every timestamp issued or observed so far, and not below the wall clock. */
  public synchronized long now() {
    last = Math.max(wallMicros.getAsLong(), last + 1);
    return last;
  }

  /** Moves the clock past a timestamp seen from another node. */
  public synchronized void observe(long timestamp) {
    if (timestamp > last) {
      last = timestamp;
    }
  }
}
