package io.minidynamo.faults;

import io.minidynamo.faults.History.FinalRead;
import io.minidynamo.faults.History.OpKind;
import io.minidynamo.faults.History.Operation;
import io.minidynamo.faults.History.Outcome;
import io.minidynamo.faults.History.WorkerKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds synthetic histories for the checker tests. Times are given in milliseconds since the run
 * started; every record a replica holds is stamped, by default, as its write's coordinator would
 * have stamped it with synchronized clocks (the wall clock at the write's start).
 */
final class Histories {
  static final long EPOCH_MS = 1_700_000_000_000L;
  static final List<String> NODES = List.of("n1", "n2", "n3");

  private long nextId = 1;
  private final List<Operation> ops = new ArrayList<>();
  private final List<History.Fault> faults = new ArrayList<>();
  private final List<FinalRead> reads = new ArrayList<>();
  private final Map<String, String> settings = new LinkedHashMap<>();
  private boolean converged = true;
  private long durationMs = 60_000;

  static Histories history() {
    return new Histories();
  }

  Operation op(int worker, WorkerKind wk, OpKind kind, String key, String value, String node,
      long startMs, long endMs, Outcome outcome) {
    Operation op = new Operation(nextId++, worker, wk, kind, key, value, node, startMs * 1000,
        endMs * 1000, outcome, outcome == Outcome.OK ? (kind == OpKind.GET && value == null ? 404 : 200)
            : outcome == Outcome.UNKNOWN ? 503 : 0,
        outcome == Outcome.OK ? null : "synthetic " + outcome);
    ops.add(op);
    return op;
  }

  /** A sequential worker's PUT (worker 1, via n1 unless told). */
  Operation put(String key, String value, long startMs, long endMs, Outcome outcome) {
    return op(1, WorkerKind.SEQUENTIAL, OpKind.PUT, key, value, "n1", startMs, endMs, outcome);
  }

  Operation delete(String key, long startMs, long endMs, Outcome outcome) {
    return op(2, WorkerKind.DELETER, OpKind.DELETE, key, null, "n1", startMs, endMs, outcome);
  }

  Operation get(String key, String value, long startMs, long endMs) {
    return op(1, WorkerKind.SEQUENTIAL, OpKind.GET, key, value, "n2", startMs, endMs, Outcome.OK);
  }

  Operation contended(int worker, String key, String value, String node, long startMs, long endMs,
      Outcome outcome) {
    return op(worker, WorkerKind.CONTENDED, OpKind.PUT, key, value, node, startMs, endMs, outcome);
  }

  /** Every replica holds {@code write}'s effect, stamped at its start by its node. */
  Histories replicas(String key, Operation write) {
    long ts = (EPOCH_MS + write.startMicros() / 1000) * 1000;
    for (String node : NODES) {
      reads.add(write.kind() == OpKind.DELETE
          ? new FinalRead(key, node, true, true, null, true, ts, write.node())
          : new FinalRead(key, node, true, true, write.value(), false, ts, write.node()));
    }
    return this;
  }

  Histories replica(FinalRead read) {
    reads.add(read);
    return this;
  }

  /** Every replica holds this value, stamped as given. */
  Histories replicasHold(String key, String value, long ts, String writer) {
    NODES.forEach(n -> reads.add(new FinalRead(key, n, true, true, value, false, ts, writer)));
    return this;
  }

  Histories absent(String key) {
    NODES.forEach(n -> reads.add(new FinalRead(key, n, true, false, null, false, 0, null)));
    return this;
  }

  Histories fault(String kind, List<String> nodes, String description, long startMs, long endMs) {
    faults.add(new History.Fault(faults.size() + 1, kind, nodes, description, startMs * 1000,
        endMs * 1000));
    return this;
  }

  Histories notConverged() {
    converged = false;
    return this;
  }

  Histories setting(String k, String v) {
    settings.put(k, v);
    return this;
  }

  Histories duration(long ms) {
    durationMs = ms;
    return this;
  }

  History build() {
    Map<String, String> nodes = new LinkedHashMap<>();
    for (int i = 0; i < NODES.size(); i++) {
      nodes.put(NODES.get(i), "http://127.0.0.1:" + (18080 + i));
    }
    History.Run run = new History.Run(42, "short", "loopback", nodes, 3, 2, 2, EPOCH_MS,
        durationMs * 1000, settings);
    return new History(run, ops, faults, reads,
        new History.Convergence(converged, 2_500_000, 60_000_000));
  }

  static CheckResult result(CheckReport report, String name) {
    return report.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }
}
