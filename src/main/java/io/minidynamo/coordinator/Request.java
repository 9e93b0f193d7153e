package io.minidynamo.coordinator;

import io.minidynamo.coordinator.Coordinators.RequestTimer;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import java.util.ArrayList;
import java.util.List;

/**
 * One client request's state machine, hosted by {@link Coordinators}: started once, then fed the
 * answers carrying its id and its own timers as they fall due, until it says it is done. Answers
 * of a kind a request never asks for are ignored.
 */
abstract class Request {
  private final long id;
  private final List<RequestTimer> timers = new ArrayList<>(2);

  Request(long id) {
    this.id = id;
  }

  final long id() {
    return id;
  }

  /** Keeps {@code timer} until it falls due; it is dropped with this request once it is done. */
  final void addTimer(RequestTimer timer) {
    timers.add(timer);
  }

  /** Removes and returns the earliest of this request's timers due by {@code nowNanos}, or null. */
  final RequestTimer pollDueTimer(long nowNanos) {
    RequestTimer next = null;
    for (RequestTimer timer : timers) {
      if (timer.dueNanos() - nowNanos <= 0 && (next == null || timer.dueNanos() - next.dueNanos() < 0)) {
        next = timer;
      }
    }
    if (next != null) {
      timers.remove(next);
    }
    return next;
  }

  abstract void start();

  /** Whether the request has nothing left to do: the host drops it. */
  abstract boolean isDone();

  abstract void onTimer(RequestTimer.Kind kind, String node);

  void onWriteAck(WriteAck ack) {}

  void onReadReply(ReadReply reply) {}

  void onHintResult(PutCoordinator.HintResult result) {}
}
