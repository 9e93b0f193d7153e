package io.minidynamo.coordinator;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The bookkeeping of one write (Riak's put_core): which replicas acknowledged, which failed, and
 * whether W acknowledgements are in or can no longer arrive. Pure; the coordinator actor drives it.
 *
 * <p>Invariants: a node counts once, whatever it sends how often; an acknowledgement after an error
 * from the same node replaces the error (a replica may report a timed-out batch and then persist it).
 */
public final class WriteQuorum {
  private final Set<String> targets;
  private final int required;
  private final Set<String> acked = new LinkedHashSet<>();
  private final Set<String> failed = new LinkedHashSet<>();

  public WriteQuorum(List<String> targets, int required) {
    if (required < 1 || required > targets.size()) {
      throw new IllegalArgumentException(
          "required " + required + " outside 1.." + targets.size());
    }
    this.targets = new LinkedHashSet<>(targets);
    this.required = required;
  }

  public void ack(String node) {
    if (targets.contains(node)) {
      failed.remove(node);
      acked.add(node);
    }
  }

  public void fail(String node) {
    if (targets.contains(node) && !acked.contains(node)) {
      failed.add(node);
    }
  }

  /** W acknowledgements are in. */
  public boolean isMet() {
    return acked.size() >= required;
  }

  /** Even if every node still outstanding acknowledged, W would not be reached. */
  public boolean isImpossible() {
    return acked.size() + outstanding() < required;
  }

  public int acks() {
    return acked.size();
  }

  public int required() {
    return required;
  }

  private int outstanding() {
    return targets.size() - acked.size() - failed.size();
  }
}
