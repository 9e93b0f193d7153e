package io.minidynamo.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for a condition in a test: polled with a deadline, never a fixed sleep. */
public final class Poll {
  private static final long INTERVAL_MILLIS = 100;

  private Poll() {}

  /**
   * Polls {@code condition} every 100 ms until it holds; fails with {@code what} (asked for only
   * then, so it may describe the last state seen) if the deadline passes first.
   */
  public static void until(Duration deadline, BooleanSupplier condition, Supplier<String> what) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("not within " + deadline + ": " + what.get());
      }
      try {
        Thread.sleep(INTERVAL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
