package io.minidynamo.coordinator;

import io.minidynamo.coordinator.Coordinators.RequestTimer;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import java.util.ArrayList;
import java.util.List;

/**
 * One client request's state machine, hosted by {@link Coordinators}: started once, then fed the
 * answers and timers carrying its id until it says it is done. Answers of a kind a request never
 * asks for are ignored.
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

  /** The timers started for this request, cancelled by the host once it is done. */
  final List<RequestTimer> timers() {
    return timers;
  }

  abstract void start();

  /** Whether the request has nothing left to do: the host drops it. */
  abstract boolean isDone();

  abstract void onTimer(RequestTimer.Kind kind, String node);

  void onWriteAck(WriteAck ack) {}

  void onReadReply(ReadReply reply) {}

  void onHintResult(PutCoordinator.HintResult result) {}
}
