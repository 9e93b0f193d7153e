package io.minidynamo.coordinator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bookkeeping of one write under a sloppy quorum (Riak's put_core with hinted handoff): which
 * primaries acknowledged, which failed and were handed to a fallback node carrying a hint, and which
 * hints the coordinator keeps itself because no fallback node is left. Pure; the coordinator drives it.
 *
 * <p>Invariants: a node's acknowledgement counts once; a fallback serves one primary at a time and
 * its acknowledgement counts toward W (it is a distinct node holding the record); a hint the
 * coordinator keeps itself does not count toward W; the write is complete when every primary has
 * either acknowledged or has a durable hint somewhere.
 */
public final class SloppyQuorum {

  /** What the coordinator must do for a primary that missed the write. */
  public sealed interface Handoff {
    /** The primary the hint is for. */
    String intendedFor();

    /** Send the record to {@code fallback} with a hint naming {@code intendedFor}. */
    record ToFallback(String fallback, String intendedFor) implements Handoff {}

    /** No fallback node is left: keep the hint for {@code intendedFor} on the coordinator. */
    record KeepLocally(String intendedFor) implements Handoff {}
  }

  private enum State {
    PENDING,
    ACKED,
    WITH_FALLBACK,
    HINTED,
    KEEPING_LOCALLY,
    KEPT_LOCALLY
  }

  private final int required;
  private final Map<String, State> primaries = new LinkedHashMap<>();
  private final Deque<String> unusedFallbacks;
  /** Fallback node to the primary it stands in for. */
  private final Map<String, String> standingIn = new LinkedHashMap<>();
  private int acks;

  public SloppyQuorum(List<String> primaries, List<String> fallbacks, int required) {
    if (required < 1 || required > primaries.size()) {
      throw new IllegalArgumentException(
          "required " + required + " outside 1.." + primaries.size());
    }
    for (String primary : primaries) {
      this.primaries.put(primary, State.PENDING);
    }
    this.unusedFallbacks = new ArrayDeque<>(fallbacks);
    this.required = required;
  }

  /** A primary stored the record. Late acknowledgements after a handoff still count. */
  public void primaryAcked(String primary) {
    State state = primaries.get(primary);
    if (state == null || state == State.ACKED) {
      return;
    }
    primaries.put(primary, State.ACKED);
    acks++;
  }

  /** A primary answered with an error, did not answer in time, or is known unreachable. */
  public Optional<Handoff> primaryFailed(String primary) {
    if (primaries.get(primary) != State.PENDING) {
      return Optional.empty();
    }
    return Optional.of(handOff(primary));
  }

  /** The fallback standing in for a primary stored the record and its hint. */
  public void fallbackAcked(String fallback) {
    String primary = standingIn.remove(fallback);
    if (primary != null && primaries.get(primary) == State.WITH_FALLBACK) {
      primaries.put(primary, State.HINTED);
      acks++;
    }
  }

  /** The fallback failed too: the next fallback, or the coordinator, takes the hint. */
  public Optional<Handoff> fallbackFailed(String fallback) {
    String primary = standingIn.remove(fallback);
    if (primary == null || primaries.get(primary) != State.WITH_FALLBACK) {
      return Optional.empty();
    }
    return Optional.of(handOff(primary));
  }

  /** The coordinator's own hint store has the hint for {@code primary} durably. */
  public void keptLocally(String primary) {
    if (primaries.get(primary) == State.KEEPING_LOCALLY) {
      primaries.put(primary, State.KEPT_LOCALLY);
    }
  }

  /** The primaries that have not answered at all yet. */
  public List<String> pendingPrimaries() {
    return primaries.entrySet().stream()
        .filter(entry -> entry.getValue() == State.PENDING)
        .map(Map.Entry::getKey)
        .toList();
  }

  private Handoff handOff(String primary) {
    String fallback = unusedFallbacks.poll();
    if (fallback == null) {
      primaries.put(primary, State.KEEPING_LOCALLY);
      return new Handoff.KeepLocally(primary);
    }
    primaries.put(primary, State.WITH_FALLBACK);
    standingIn.put(fallback, primary);
    return new Handoff.ToFallback(fallback, primary);
  }

  /** W acknowledgements (primaries or fallbacks) are in. */
  public boolean isMet() {
    return acks >= required;
  }

  /** Even if every write still under way succeeded, W would not be reached. */
  public boolean isImpossible() {
    int stillPossible = 0;
    for (State state : primaries.values()) { // a loop, not a stream: asked after every answer
      if (state == State.PENDING || state == State.WITH_FALLBACK) {
        stillPossible++;
      }
    }
    return acks + stillPossible < required;
  }

  /** Every primary acknowledged or has a durable hint somewhere. */
  public boolean isComplete() {
    for (State state : primaries.values()) {
      if (state != State.ACKED && state != State.HINTED && state != State.KEPT_LOCALLY) {
        return false;
      }
    }
    return true;
  }

  public int acks() {
    return acks;
  }

  public int required() {
    return required;
  }
}
