package io.minidynamo.coordinator;

import io.minidynamo.versioning.Record;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The bookkeeping of one read (Riak's get_core): the replies so far, whether R are in or can no
 * longer arrive, the newest record seen, and — once the read is over — which replicas to repair.
 * Pure; the coordinator actor drives it.
 *
 * <p>Invariants: a node counts once (its first answer); the newest record is the last-write-wins
 * maximum of every record answered, tombstones included; only nodes that answered can be repaired.
 */
public final class ReadQuorum {
  private final Set<String> targets;
  private final int required;
  /** Node to its answer; an empty Optional: the node has no record for the key. */
  private final Map<String, Optional<Record>> replies = new LinkedHashMap<>();
  private final Set<String> failed = new LinkedHashSet<>();
  /** Fallback nodes asked in place of failed primaries: their answers count, they are not repaired. */
  private final Set<String> fallbacks = new LinkedHashSet<>();
  private Record newest;

  public ReadQuorum(List<String> targets, int required) {
    if (required < 1 || required > targets.size()) {
      throw new IllegalArgumentException(
          "required " + required + " outside 1.." + targets.size());
    }
    this.targets = new LinkedHashSet<>(targets);
    this.required = required;
  }

  /** A node's answer: its record for the key, or null when it has none. */
  public void reply(String node, Record record) {
    if (!targets.contains(node) || replies.containsKey(node) || failed.contains(node)) {
      return;
    }
    replies.put(node, Optional.ofNullable(record));
    newest = Record.newer(newest, record);
  }

  /** A fallback node is asked in place of a failed primary; its answer counts toward R. */
  public void addFallback(String node) {
    targets.add(node);
    fallbacks.add(node);
  }

  /** Whether {@code node} has answered or failed. */
  public boolean hasSettled(String node) {
    return replies.containsKey(node) || failed.contains(node);
  }

  public void fail(String node) {
    if (targets.contains(node) && !replies.containsKey(node)) {
      failed.add(node);
    }
  }

  public boolean isMet() {
    return replies.size() >= required;
  }

  public boolean isImpossible() {
    return replies.size() + outstanding() < required;
  }

  /** Every target has answered or failed: nothing more will come. */
  public boolean isComplete() {
    return outstanding() == 0;
  }

  public int replies() {
    return replies.size();
  }

  public int required() {
    return required;
  }

  /** The newest record answered (possibly a tombstone), or empty when no replica has the key. */
  public Optional<Record> newest() {
    return Optional.ofNullable(newest);
  }

  /** The replicas (not fallbacks) that answered with an older record or none, while a newer one exists. */
  public List<String> staleNodes() {
    List<String> stale = new ArrayList<>();
    if (newest == null) {
      return stale;
    }
    replies.forEach((node, record) -> {
      if (!fallbacks.contains(node) && (record.isEmpty() || newest.supersedes(record.get()))) {
        stale.add(node);
      }
    });
    return stale;
  }

  private int outstanding() {
    return targets.size() - replies.size() - failed.size();
  }
}
