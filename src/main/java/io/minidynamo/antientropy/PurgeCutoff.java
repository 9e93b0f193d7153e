package io.minidynamo.antientropy;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The cluster-wide half of the tombstone purge rule, pure: below which version timestamp tombstones
 * may be purged this round (the per-tombstone half, "every replica holds it", is
 * {@link TombstoneTracker}'s).
 *
 * <p>The cutoff is the lower of now minus the grace period and every node's hint floor
 * ({@link io.minidynamo.handoff.HintProtocol.HintFloor}); with any node's floor unknown (down,
 * unreachable, or no answer this round) there is no cutoff and nothing is purged: that node may hold
 * a hint carrying an older write of a deleted key. Timestamps are version timestamps (microseconds).
 */
public final class PurgeCutoff {
  private PurgeCutoff() {}

  /**
   * @param nowMillis this node's wall clock
   * @param grace the tombstone grace period
   * @param nodes every node of the cluster (any of them may hold hints)
   * @param floors the hint floors answered this round, by node
   */
  public static OptionalLong cutoff(
      long nowMillis, Duration grace, Collection<String> nodes, Map<String, Long> floors) {
    long cutoff = (nowMillis - grace.toMillis()) * 1000;
    for (String node : nodes) {
      Long floor = floors.get(node);
      if (floor == null) {
        return OptionalLong.empty();
      }
      cutoff = Math.min(cutoff, floor);
    }
    return OptionalLong.of(cutoff);
  }
}
