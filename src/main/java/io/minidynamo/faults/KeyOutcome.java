package io.minidynamo.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What became of every acknowledged write to one key, given the key's final state: each either
 * survived, was superseded by a write that started after it ended, or was lost — and a loss is
 * classified by what explains it.
 *
 * <p>The write whose effect is the final state (the <em>winner</em>) is the PUT that wrote the final
 * value, or for a tombstone / absent key the latest-started DELETE whose outcome is not FAILED.
 * A FAILED write was certainly not applied, so it cannot be a winner. An UNKNOWN write may have
 * been stamped at any time after it started (a paused coordinator stamps when it resumes).
 *
 * <p>For an acknowledged write {@code b} the winner {@code f} does not carry:
 * <ul>
 *   <li>{@code f} started after {@code b} ended: {@code b} was superseded, not lost;
 *   <li>{@code f} and {@code b} overlapped in real time: LWW dropped a concurrent write
 *       ({@link Cause#CONCURRENT}, measured);
 *   <li>{@code f} is UNKNOWN and ended before {@code b} started: {@code f} may have landed late
 *       ({@link Cause#LATE_UNKNOWN}, measured);
 *   <li>{@code f} was acknowledged before {@code b} started: synchronized clocks order {@code b}
 *       after {@code f}, so only clock skew explains it ({@link Cause#CLOCK_SKEW}, measured) or
 *       nothing does ({@link Cause#UNEXPLAINED}, a failure);
 *   <li>no valid winner (a value never written to this key, written only by a FAILED put, or a
 *       key absent although a PUT was acknowledged): {@link Cause#UNEXPLAINED}.
 * </ul>
 */
record KeyOutcome(String key, FinalState finalState, History.Operation winner, List<Loss> losses) {

  enum Cause { CONCURRENT, LATE_UNKNOWN, CLOCK_SKEW, UNEXPLAINED }

  record Loss(History.Operation write, Cause cause, String why) {}

  KeyOutcome {
    losses = List.copyOf(losses);
  }

  /**
   * @param writes the key's PUTs and DELETEs, any outcome
   * @param putsByValue every PUT of the run by value (values are unique per run)
   */
  static KeyOutcome of(
      String key,
      FinalState state,
      List<History.Operation> writes,
      Map<String, History.Operation> putsByValue,
      ClockSkew skew) {
    History.Operation winner = winner(key, state, writes, putsByValue);
    String noWinner = winner != null ? null : noWinnerReason(key, state, putsByValue);
    List<Loss> losses = new ArrayList<>();
    for (History.Operation b : writes) {
      if (b.outcome() != History.Outcome.OK || state.isEffectOf(b)) {
        continue;
      }
      if (winner == null) {
        losses.add(new Loss(b, Cause.UNEXPLAINED, noWinner));
      } else if (before(b, winner)) {
        continue; // superseded by a later write
      } else if (!before(winner, b)) {
        losses.add(new Loss(b, Cause.CONCURRENT, "concurrent with winning op " + winner.id()));
      } else if (winner.outcome() == History.Outcome.UNKNOWN) {
        losses.add(new Loss(b, Cause.LATE_UNKNOWN,
            "winning op " + winner.id() + " is UNKNOWN and may have landed late"));
      } else {
        String skewed = skew.explanation(winner, b, state);
        losses.add(skewed != null
            ? new Loss(b, Cause.CLOCK_SKEW, skewed)
            : new Loss(b, Cause.UNEXPLAINED, "op " + winner.id() + " (acked at "
                + millis(winner.endMicros()) + ") won over op " + b.id() + " started later at "
                + millis(b.startMicros())));
      }
    }
    return new KeyOutcome(key, state, winner, losses);
  }

  /** The write whose effect the final state is, or null when no valid write explains it. */
  static History.Operation winner(
      String key, FinalState state, List<History.Operation> writes,
      Map<String, History.Operation> putsByValue) {
    if (state.kind() == FinalState.Kind.VALUE) {
      History.Operation put = putsByValue.get(state.value());
      return put != null && key.equals(put.key()) && put.outcome() != History.Outcome.FAILED
          ? put : null;
    }
    return writes.stream()
        .filter(w -> w.kind() == History.OpKind.DELETE && w.outcome() != History.Outcome.FAILED)
        .max(Comparator.comparingLong(History.Operation::startMicros)
            .thenComparingLong(History.Operation::id))
        .orElse(null);
  }

  private static String noWinnerReason(
      String key, FinalState state, Map<String, History.Operation> putsByValue) {
    if (state.kind() == FinalState.Kind.VALUE) {
      History.Operation put = putsByValue.get(state.value());
      if (put == null) {
        return "final " + state + " was never written";
      }
      if (!key.equals(put.key())) {
        return "final " + state + " was written by op " + put.id() + " to key '" + put.key() + "'";
      }
      return "final " + state + " is from FAILED op " + put.id() + ", which was never applied";
    }
    return "final state is " + state + " but no DELETE of this key may have been applied";
  }

  /**
   * Whether {@code a} ended before {@code b} started. One worker issues one request at a time, so
   * its own operations are ordered by id even when two clock readings coincide.
   */
  static boolean before(History.Operation a, History.Operation b) {
    if (a.worker() == b.worker() && a.workerKind() == b.workerKind()) {
      return a.id() < b.id();
    }
    return a.endMicros() < b.startMicros();
  }

  static String millis(long micros) {
    return String.format(java.util.Locale.ROOT, "%.3f s", micros / 1e6);
  }

  List<Loss> losses(Cause cause) {
    return losses.stream().filter(l -> l.cause() == cause).toList();
  }
}
