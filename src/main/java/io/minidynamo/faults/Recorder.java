package io.minidynamo.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects what clients and nemesis did, from many threads, on one time base: microseconds since
 * the run's start (a monotonic clock, so wall-clock steps on the host cannot reorder events).
 */
final class Recorder {
  private final long startNanos = System.nanoTime();
  private final long startEpochMillis = System.currentTimeMillis();
  private final AtomicLong operationIds = new AtomicLong();
  private final AtomicLong faultIds = new AtomicLong();
  private final ConcurrentLinkedQueue<History.Operation> operations = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<History.Fault> faults = new ConcurrentLinkedQueue<>();

  long nowMicros() {
    return (System.nanoTime() - startNanos) / 1_000;
  }

  long startEpochMillis() {
    return startEpochMillis;
  }

  /** The next operation id: taken when a request is issued, so ids increase in issue order. */
  long nextOperationId() {
    return operationIds.incrementAndGet();
  }

  void record(History.Operation operation) {
    operations.add(operation);
  }

  long nextFaultId() {
    return faultIds.incrementAndGet();
  }

  void record(History.Fault fault) {
    faults.add(fault);
  }

  List<History.Operation> operations() {
    List<History.Operation> sorted = new ArrayList<>(operations);
    sorted.sort(Comparator.comparingLong(History.Operation::id));
    return sorted;
  }

  List<History.Fault> faults() {
    List<History.Fault> sorted = new ArrayList<>(faults);
    sorted.sort(Comparator.comparingLong(History.Fault::id));
    return sorted;
  }
}
