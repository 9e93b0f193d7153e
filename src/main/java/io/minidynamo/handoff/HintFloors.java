package io.minidynamo.handoff;

import java.time.Duration;

/**
 * The hint-floor rule, pure: what a hint store answers to {@link HintProtocol.GetHintFloor}.
 *
 * <p>Invariant: the answer never decreases, is never above the oldest pending hint's record (so no
 * pending hint is below it), and never above now minus {@code maxAge} (so a hinted write younger than
 * {@code maxAge} is never refused because of it). Timestamps are version timestamps (microseconds).
 */
public final class HintFloors {
  private HintFloors() {}

  /**
   * @param previous the floor answered before ({@link Long#MIN_VALUE} if none)
   * @param oldestPending the oldest pending hint's record timestamp, {@link Long#MAX_VALUE} if none
   * @param nowMillis this node's wall clock
   * @param maxAge how old a hint's record may be when it is stored
   */
  public static long next(long previous, long oldestPending, long nowMillis, Duration maxAge) {
    long ageLimit = (nowMillis - maxAge.toMillis()) * 1000;
    return Math.max(previous, Math.min(oldestPending, ageLimit));
  }
}
