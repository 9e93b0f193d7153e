package io.minidynamo.faults;

import io.minidynamo.faults.History.Fault;
import io.minidynamo.faults.History.OpKind;
import io.minidynamo.faults.History.Operation;
import io.minidynamo.faults.History.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The figures a run is measured by, never failed on: availability per fault kind, latency, LWW
 * losses by cause, stale reads. Counts are {@code Long}, fractions and milliseconds {@code Double};
 * a fraction over no requests is the string {@code "n/a"}.
 *
 * <p>An operation belongs to a fault window when it started inside it ({@code start <= t <= end}).
 */
final class Measurements {
  private Measurements() {}

  static Map<String, Object> of(
      History h, Checker.Index index, Map<String, KeyOutcome> outcomes, ClockSkew skew) {
    Map<String, Object> m = new LinkedHashMap<>();
    List<Operation> ops = h.operations();
    m.put("ops", (long) ops.size());
    for (Outcome o : Outcome.values()) {
      m.put("ops " + o.name().toLowerCase(), count(ops, op -> op.outcome() == o));
    }

    TreeMap<String, List<Fault>> byKind = new TreeMap<>();
    h.faults().forEach(f -> byKind.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(f));
    m.put("faults", (long) h.faults().size());
    byKind.forEach((kind, list) -> m.put("faults " + kind, (long) list.size()));

    availability(m, "availability outside faults", filter(ops, op -> h.faults().stream()
        .noneMatch(f -> inside(op, f))));
    byKind.forEach((kind, list) -> availability(m, "availability during " + kind,
        filter(ops, op -> list.stream().anyMatch(f -> inside(op, f)))));
    for (OpKind kind : OpKind.values()) {
      availability(m, "availability " + kind, filter(ops, op -> op.kind() == kind));
    }

    latency(m, "latency ok", filter(ops, op -> op.outcome() == Outcome.OK));
    for (OpKind kind : OpKind.values()) {
      latency(m, "latency ok " + kind,
          filter(ops, op -> op.outcome() == Outcome.OK && op.kind() == kind));
    }

    long concurrent = 0;
    long skewed = 0;
    long late = 0;
    long unexplained = 0;
    for (KeyOutcome o : outcomes.values()) {
      concurrent += o.losses(KeyOutcome.Cause.CONCURRENT).size();
      skewed += o.losses(KeyOutcome.Cause.CLOCK_SKEW).size();
      late += o.losses(KeyOutcome.Cause.LATE_UNKNOWN).size();
      unexplained += o.losses(KeyOutcome.Cause.UNEXPLAINED).size();
    }
    m.put("acked writes", count(ops, op -> op.kind() != OpKind.GET && op.outcome() == Outcome.OK));
    m.put("lww losses to concurrent writes (contended keys)", concurrent);
    m.put("lww losses explained by clock skew", skewed);
    m.put("acked writes overwritten by a late unacknowledged write", late);
    m.put("acked writes lost, unexplained", unexplained);
    if (!skew.unparsed().isEmpty()) {
      m.put("clock-skew faults with no parsable offset", (long) skew.unparsed().size());
    }
    if (index.duplicatePutValues > 0) {
      m.put("duplicate put values (history contract broken)", (long) index.duplicatePutValues);
    }

    long[] stale = staleReads(ops, index);
    m.put("reads checked for staleness (sequential keys)", stale[0]);
    m.put("stale reads (sequential keys)", stale[1]);

    m.put("keys", (long) index.keys.size());
    m.put("contended keys", (long) index.contended.size());
    m.put("convergence wait ms", round(h.convergence().waitedMicros() / 1000.0));
    return m;
  }

  static boolean inside(Operation op, Fault f) {
    return f.startMicros() <= op.startMicros() && op.startMicros() <= f.endMicros();
  }

  private static void availability(Map<String, Object> m, String name, List<Operation> ops) {
    long ok = count(ops, op -> op.outcome() == Outcome.OK);
    m.put(name, ops.isEmpty() ? "n/a" : round((double) ok / ops.size()));
    m.put(name + " (requests)", (long) ops.size());
  }

  private static void latency(Map<String, Object> m, String name, List<Operation> ops) {
    if (ops.isEmpty()) {
      return;
    }
    long[] micros = ops.stream().mapToLong(op -> op.endMicros() - op.startMicros()).toArray();
    Arrays.sort(micros);
    m.put(name + " p50 ms", round(percentile(micros, 50) / 1000.0));
    m.put(name + " p99 ms", round(percentile(micros, 99) / 1000.0));
    m.put(name + " max ms", round(micros[micros.length - 1] / 1000.0));
  }

  /** Nearest-rank percentile of sorted values. */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /**
   * GETs (OK) on keys with a single writer that returned something older than the last write
   * acknowledged before the GET started: the value of an acknowledged PUT issued before it, or
   * nothing while the last acknowledged write was a PUT and no DELETE may have been applied.
   * Sloppy quorums allow this; it is a figure, not a failure.
   *
   * @return {checked, stale}
   */
  static long[] staleReads(List<Operation> ops, Checker.Index index) {
    long checked = 0;
    long stale = 0;
    for (Operation get : ops) {
      if (get.kind() != OpKind.GET || get.outcome() != Outcome.OK || index.isContended(get.key())) {
        continue;
      }
      Operation lastAcked = index.writesOf(get.key()).stream()
          .filter(w -> w.outcome() == Outcome.OK && w.endMicros() < get.startMicros())
          .max(Comparator.comparingLong(Operation::id))
          .orElse(null);
      if (lastAcked == null) {
        continue;
      }
      checked++;
      if (get.value() != null) {
        Operation put = index.putsByValue.get(get.value());
        if (put != null && put.outcome() == Outcome.OK && put.key().equals(get.key())
            && put.id() < lastAcked.id()) {
          stale++;
        }
      } else if (lastAcked.kind() == OpKind.PUT && index.writesOf(get.key()).stream()
          .noneMatch(w -> w.kind() == OpKind.DELETE && w.outcome() != Outcome.FAILED)) {
        stale++;
      }
    }
    return new long[] {checked, stale};
  }

  private static List<Operation> filter(List<Operation> ops, Predicate<Operation> p) {
    return ops.stream().filter(p).toList();
  }

  private static long count(List<Operation> ops, Predicate<Operation> p) {
    return ops.stream().filter(p).count();
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

}
