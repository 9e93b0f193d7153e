package io.minidynamo.faults;

import io.minidynamo.faults.History.FinalRead;
import io.minidynamo.faults.History.OpKind;
import io.minidynamo.faults.History.Operation;
import io.minidynamo.faults.History.Outcome;
import io.minidynamo.faults.History.WorkerKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Proves from a {@link History} alone what a run lost. Pure: no processes, no clocks, no I/O.
 *
 * <p>One {@link CheckResult} per property, always in this order: {@code convergence},
 * {@code no-lost-acked-write}, {@code no-undone-delete}, {@code no-phantom-value},
 * {@code no-unexplained-lww-loss}. What LWW legitimately drops (concurrent writes on contended
 * keys, clock skew, an unacknowledged write landing late) is a measurement, never a failure; see
 * {@link KeyOutcome} for how each lost acknowledged write is classified.
 *
 * <p>"Later" and "earlier" are real time as the client saw it: a write {@code a} is before
 * {@code b} when {@code a} ended before {@code b} started. For one sequential worker this is its
 * issue (op id) order. An UNKNOWN write may take effect at any time after it started.
 */
public final class Checker {

  /** Counter-examples kept per check. */
  static final int MAX_EXAMPLES = 10;

  private Checker() {}

  public static CheckReport check(History history) {
    validate(history);
    Index index = new Index(history);
    ClockSkew skew = ClockSkew.of(history);
    Map<String, KeyOutcome> outcomes = new TreeMap<>();
    for (String key : index.keys) {
      outcomes.put(key, KeyOutcome.of(key, FinalState.of(index.readsOf(key)),
          index.writesOf(key), index.putsByValue, skew));
    }
    List<CheckResult> checks = List.of(
        convergence(history, index),
        noLostAckedWrite(index, outcomes),
        noUndoneDelete(index, skew),
        noPhantomValue(history, index),
        noUnexplainedLwwLoss(index, outcomes, skew));
    return new CheckReport(checks, Measurements.of(history, index, outcomes, skew));
  }

  /** Rejects a history the checks cannot read (missing sections or fields) with what is missing. */
  static void validate(History h) {
    if (h == null) {
      throw new IllegalArgumentException("history is empty");
    }
    Objects.requireNonNull(h.run(), "history has no 'run'");
    Objects.requireNonNull(h.convergence(), "history has no 'convergence'");
    for (Operation op : h.operations()) {
      if (op == null || op.key() == null || op.kind() == null || op.outcome() == null
          || op.workerKind() == null) {
        throw new IllegalArgumentException(
            "operation " + (op == null ? "null" : op.id()) + " lacks key, kind, outcome or workerKind");
      }
    }
    for (FinalRead r : h.finalReads()) {
      if (r == null || r.key() == null || r.node() == null) {
        throw new IllegalArgumentException("a final read lacks its key or node");
      }
    }
    for (History.Fault f : h.faults()) {
      if (f == null || f.kind() == null) {
        throw new IllegalArgumentException("a fault lacks its kind");
      }
    }
  }

  /** The history regrouped per key. */
  static final class Index {
    final TreeSet<String> keys = new TreeSet<>();
    final Map<String, List<Operation>> writes = new HashMap<>();
    final Map<String, List<FinalRead>> reads = new HashMap<>();
    /** Keys written by a CONTENDED worker or by more than one worker: LWW orders their writes. */
    final Set<String> contended = new HashSet<>();
    private final Map<String, String> writerOf = new HashMap<>();
    /** Every PUT by value; for a (contract-breaking) repeated value, the one most likely applied. */
    final Map<String, Operation> putsByValue = new HashMap<>();
    int duplicatePutValues;

    Index(History h) {
      for (Operation op : h.operations()) {
        keys.add(op.key());
        if (op.workerKind() == WorkerKind.CONTENDED) {
          contended.add(op.key());
        }
        if (op.kind() == OpKind.GET) {
          continue;
        }
        String worker = op.workerKind() + "#" + op.worker();
        if (!writerOf.computeIfAbsent(op.key(), k -> worker).equals(worker)) {
          contended.add(op.key());
        }
        writes.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        if (op.kind() == OpKind.PUT && op.value() != null) {
          Operation seen = putsByValue.putIfAbsent(op.value(), op);
          if (seen != null) {
            duplicatePutValues++;
            if (rank(op.outcome()) < rank(seen.outcome())) {
              putsByValue.put(op.value(), op);
            }
          }
        }
      }
      for (FinalRead r : h.finalReads()) {
        keys.add(r.key());
        reads.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
      }
      writes.values().forEach(l -> l.sort(Comparator.comparingLong(Operation::id)));
    }

    private static int rank(Outcome o) {
      return switch (o) {
        case OK -> 0;
        case UNKNOWN -> 1;
        case FAILED -> 2;
      };
    }

    List<Operation> writesOf(String key) {
      return writes.getOrDefault(key, List.of());
    }

    List<FinalRead> readsOf(String key) {
      return reads.getOrDefault(key, List.of());
    }

    boolean isContended(String key) {
      return contended.contains(key);
    }

    /** Whether some write to the key may have been applied (its outcome is OK or UNKNOWN). */
    boolean mayHaveBeenWritten(String key) {
      return writesOf(key).stream().anyMatch(w -> w.outcome() != Outcome.FAILED);
    }
  }

  // ---- 1. convergence ------------------------------------------------------------------------

  static CheckResult convergence(History h, Index index) {
    int expectedReplicas = Math.max(1, Math.min(h.run().n(), h.run().nodes().size()));
    List<String> problems = new ArrayList<>();
    int keysRead = 0;
    for (String key : index.keys) {
      List<FinalRead> reads = index.readsOf(key);
      if (reads.isEmpty()) {
        if (index.mayHaveBeenWritten(key)) {
          problems.add("key '" + key + "': written but no replica was read back");
        }
        continue;
      }
      keysRead++;
      long nodes = reads.stream().map(FinalRead::node).distinct().count();
      if (nodes < expectedReplicas) {
        problems.add("key '" + key + "': only " + nodes + " of " + expectedReplicas + " replicas read");
      }
      List<String> unreachable = reads.stream().filter(r -> !r.reachable()).map(FinalRead::node).toList();
      if (!unreachable.isEmpty()) {
        problems.add("key '" + key + "': replica(s) " + unreachable + " unreachable");
      }
      List<FinalRead> reachable = reads.stream().filter(FinalRead::reachable).toList();
      if (reachable.stream().map(FinalState::ofRecord).distinct().count() > 1) {
        StringBuilder s = new StringBuilder("key '" + key + "': replicas disagree:");
        for (FinalRead r : reachable) {
          s.append(' ').append(r.node()).append('=').append(FinalState.ofRecord(r));
        }
        problems.add(s.toString());
      }
    }
    History.Convergence c = h.convergence();
    String waited = "after " + KeyOutcome.millis(c.waitedMicros()) + " (deadline "
        + KeyOutcome.millis(c.deadlineMicros()) + ")";
    if (!c.converged()) {
      problems.add(0, "the runner saw no convergence " + waited);
    }
    if (problems.isEmpty()) {
      return pass("convergence", keysRead + " keys: all " + expectedReplicas
          + " replicas reachable and identical; converged " + waited);
    }
    return fail("convergence", problems.size() + " problem(s) over " + index.keys.size()
        + " keys; first: " + problems.get(0), problems);
  }

  // ---- 2. no lost acknowledged write (sequential and deleter keys) -----------------------------

  static CheckResult noLostAckedWrite(Index index, Map<String, KeyOutcome> outcomes) {
    List<String> lost = new ArrayList<>();
    int keys = 0;
    int skewed = 0;
    int late = 0;
    for (KeyOutcome o : outcomes.values()) {
      if (index.isContended(o.key())) {
        continue;
      }
      keys++;
      skewed += o.losses(KeyOutcome.Cause.CLOCK_SKEW).size();
      late += o.losses(KeyOutcome.Cause.LATE_UNKNOWN).size();
      for (KeyOutcome.Loss l : o.losses()) {
        if (l.cause() == KeyOutcome.Cause.UNEXPLAINED || l.cause() == KeyOutcome.Cause.CONCURRENT) {
          lost.add(describe(o, l));
        }
      }
    }
    String measured = skewed + " explained by clock skew, " + late
        + " overwritten by an earlier unacknowledged write that landed late (measured)";
    if (lost.isEmpty()) {
      return pass("no-lost-acked-write", keys + " sequential/deleter keys: each ends in its last "
          + "acknowledged write or a later unacknowledged one; " + measured);
    }
    return fail("no-lost-acked-write", lost.size() + " acknowledged write(s) lost on "
        + keys + " sequential/deleter keys; " + measured, lost);
  }

  // ---- 3. no undone delete ---------------------------------------------------------------------

  /**
   * For the latest-started acknowledged DELETE of each key, every replica that still holds a value
   * must hold one a later or concurrent write (or an UNKNOWN one, which may land late) put there.
   */
  static CheckResult noUndoneDelete(Index index, ClockSkew skew) {
    List<String> undone = new ArrayList<>();
    int deletes = 0;
    int skewed = 0;
    for (String key : index.keys) {
      Operation delete = index.writesOf(key).stream()
          .filter(w -> w.kind() == OpKind.DELETE && w.outcome() == Outcome.OK)
          .max(Comparator.comparingLong(Operation::startMicros).thenComparingLong(Operation::id))
          .orElse(null);
      if (delete == null) {
        continue;
      }
      deletes++;
      for (FinalRead r : index.readsOf(key)) {
        FinalState replica = FinalState.ofRecord(r);
        if (replica.isDeletedOrAbsent()) {
          continue;
        }
        Operation put = index.putsByValue.get(replica.value());
        boolean valid = put != null && key.equals(put.key()) && put.outcome() != Outcome.FAILED;
        if (valid && (put.outcome() == Outcome.UNKNOWN || !KeyOutcome.before(put, delete))) {
          continue; // written after (or concurrently with) the delete, or possibly landed late
        }
        if (valid && skew.explanation(put, delete, replica) != null) {
          skewed++;
          continue;
        }
        undone.add("key '" + key + "': acked DELETE op " + delete.id() + " undone on "
            + r.node() + ", which holds " + replica
            + (valid ? " from PUT op " + put.id() + " acked before the delete started"
                : " that no applied PUT to this key wrote"));
      }
    }
    String measured = skewed + " replica value(s) resurrected by clock skew (measured)";
    if (undone.isEmpty()) {
      return pass("no-undone-delete", deletes + " keys with an acknowledged delete: every replica "
          + "absent, tombstoned or holding a later write; " + measured);
    }
    return fail("no-undone-delete", undone.size() + " replica(s) hold a value an acknowledged "
        + "delete removed; " + measured, undone);
  }

  // ---- 4. no phantom value ---------------------------------------------------------------------

  static CheckResult noPhantomValue(History h, Index index) {
    List<String> phantoms = new ArrayList<>();
    int seen = 0;
    for (Operation get : h.operations()) {
      if (get.kind() != OpKind.GET || get.outcome() != Outcome.OK || get.value() == null) {
        continue;
      }
      seen++;
      String why = phantomReason(get.key(), get.value(), index);
      if (why == null) {
        Operation put = index.putsByValue.get(get.value());
        if (put.startMicros() > get.endMicros()) {
          why = "written by PUT op " + put.id() + " which started after the read ended";
        }
      }
      if (why != null) {
        phantoms.add("GET op " + get.id() + " on key '" + get.key() + "' via " + get.node()
            + " read '" + get.value() + "': " + why);
      }
    }
    for (FinalRead r : h.finalReads()) {
      FinalState replica = FinalState.ofRecord(r);
      if (replica.kind() != FinalState.Kind.VALUE) {
        continue;
      }
      seen++;
      String why = phantomReason(r.key(), replica.value(), index);
      if (why != null) {
        phantoms.add("final read of key '" + r.key() + "' on " + r.node() + " holds '"
            + replica.value() + "': " + why);
      }
    }
    if (phantoms.isEmpty()) {
      return pass("no-phantom-value", seen + " values read (GETs and final replica reads): each "
          + "written to its key by a PUT that was acknowledged or unknown");
    }
    return fail("no-phantom-value", phantoms.size() + " of " + seen + " values read were never "
        + "written to their key by an applied PUT", phantoms);
  }

  private static String phantomReason(String key, String value, Index index) {
    Operation put = index.putsByValue.get(value);
    if (put == null) {
      return "no client ever wrote it";
    }
    if (!key.equals(put.key())) {
      return "written by PUT op " + put.id() + " to key '" + put.key() + "'";
    }
    if (put.outcome() == Outcome.FAILED) {
      return "written only by FAILED PUT op " + put.id() + ", which was never sent";
    }
    return null;
  }

  // ---- 5. contended keys: no LWW loss that concurrency or skew does not explain ----------------

  static CheckResult noUnexplainedLwwLoss(
      Index index, Map<String, KeyOutcome> outcomes, ClockSkew skew) {
    List<String> unexplained = new ArrayList<>();
    int keys = 0;
    int concurrent = 0;
    int skewed = 0;
    int late = 0;
    for (KeyOutcome o : outcomes.values()) {
      if (!index.isContended(o.key())) {
        continue;
      }
      keys++;
      concurrent += o.losses(KeyOutcome.Cause.CONCURRENT).size();
      skewed += o.losses(KeyOutcome.Cause.CLOCK_SKEW).size();
      late += o.losses(KeyOutcome.Cause.LATE_UNKNOWN).size();
      for (KeyOutcome.Loss l : o.losses(KeyOutcome.Cause.UNEXPLAINED)) {
        unexplained.add(describe(o, l));
      }
    }
    String measured = concurrent + " acked write(s) lost to a concurrent write, " + skewed
        + " to clock skew, " + late + " to an unacknowledged write that landed late (measured)"
        + (skew.unparsed().isEmpty() ? ""
            : "; " + skew.unparsed().size() + " clock-skew fault(s) with no parsable offset");
    if (unexplained.isEmpty()) {
      return pass("no-unexplained-lww-loss", keys + " contended keys: every final value was "
          + "written to its key and every acknowledged write lost to LWW is explained; " + measured);
    }
    return fail("no-unexplained-lww-loss", unexplained.size() + " acknowledged write(s) on "
        + keys + " contended keys lost to a write acknowledged before they started; " + measured,
        unexplained);
  }

  private static String describe(KeyOutcome o, KeyOutcome.Loss l) {
    Operation b = l.write();
    return "key '" + o.key() + "': acked " + b.kind() + " op " + b.id()
        + (b.value() != null ? " '" + b.value() + "'" : "") + " via " + b.node()
        + " lost; final " + o.finalState() + "; " + l.why();
  }

  private static CheckResult pass(String name, String detail) {
    return new CheckResult(name, true, detail, List.of());
  }

  private static CheckResult fail(String name, String detail, List<String> examples) {
    return new CheckResult(name, false, detail,
        examples.subList(0, Math.min(MAX_EXAMPLES, examples.size())));
  }
}
