package io.minidynamo.coordinator;

import io.minidynamo.Asks;
import io.minidynamo.coordinator.Coordinators.RequestTimer;
import io.minidynamo.coordinator.SloppyQuorum.Handoff;
import io.minidynamo.handoff.HintProtocol.HintedWrite;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.versioning.Record;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One client write (Riak's put FSM) under a sloppy quorum. Sends the record to the N primaries in
 * parallel; a primary that fails, does not answer within the replica timeout, or is known
 * unreachable is replaced by the next fallback node, which stores the record as a hint naming that
 * primary; with no fallback left the coordinator's own node keeps the hint. Answers
 * {@link Result.Ok} after W acknowledgements (fallbacks count) or {@link Result.Failed} at the
 * deadline, and stays until every primary acknowledged or has a durable hint somewhere (or a hard
 * deadline passes), then is done. What was written stays written either way. Runs inside
 * {@link Coordinators}.
 */
public final class PutCoordinator extends Request {

  /** The outcome of a client write. */
  public sealed interface Result {
    /** W replicas acknowledged (fsynced) the record. */
    record Ok(Record record, int acks) implements Result {}

    /** Fewer than W acknowledged in time. */
    record Failed(int acks, int required) implements Result {}
  }

  /** Where and how a write is sent. */
  public record Plan(
      Record record,
      int partition,
      List<String> primaries,
      List<String> fallbacks,
      int w,
      Duration timeout,
      Duration replicaTimeout,
      boolean hintedHandoff) {}

  /** The outcome of handing {@code handoff} to a hint store. */
  record HintResult(long request, Handoff handoff, boolean ok) implements Coordinators.Command {}

  private final Plan plan;
  private final Coordinators host;
  private final SloppyQuorum quorum;
  private final ActorRef<Result> replyTo;
  private boolean answered;
  private boolean givenUp;

  PutCoordinator(long id, Plan plan, Coordinators host, ActorRef<Result> replyTo) {
    super(id);
    this.plan = plan;
    this.host = host;
    // With hinted handoff off no fallback is ever asked: booking one would keep W "possible".
    this.quorum = new SloppyQuorum(
        plan.primaries(), plan.hintedHandoff() ? plan.fallbacks() : List.of(), plan.w());
    this.replyTo = replyTo;
  }

  @Override
  void start() {
    // Two timers per write, not one per replica: the primaries are asked at the same moment.
    host.startTimer(this, RequestTimer.Kind.DEADLINE, null, plan.timeout());
    host.startTimer(this, RequestTimer.Kind.PRIMARIES_SILENT, null, plan.replicaTimeout());
    Write write = new Write(plan.partition(), plan.record(), id(), host.acks());
    for (String node : plan.primaries()) {
      if (host.reachability().isUnreachable(node)) {
        quorum.primaryFailed(node).ifPresent(this::handOff);
      } else {
        host.peers().replica(node).tell(write);
      }
    }
    next();
  }

  @Override
  void onWriteAck(WriteAck ack) {
    if (ack.ok()) {
      quorum.primaryAcked(ack.node());
    } else {
      host.context().getLog().debug(
          "write of {} failed on {}: {}", plan.record().key(), ack.node(), ack.error());
      quorum.primaryFailed(ack.node()).ifPresent(this::handOff);
    }
    next();
  }

  @Override
  void onTimer(RequestTimer.Kind kind, String node) {
    switch (kind) {
      case PRIMARIES_SILENT -> failPendingPrimaries();
      case DEADLINE -> onDeadline();
      case HARD_DEADLINE -> {
        host.context().getLog().debug("write of {} stopped with handoff incomplete", plan.record().key());
        givenUp = true;
      }
      case FALLBACK_SILENT -> { } // not used by writes: a silent fallback fails its hint's ask
    }
    next();
  }

  @Override
  void onHintResult(HintResult result) {
    if (result.handoff() instanceof Handoff.ToFallback toFallback) {
      if (result.ok()) {
        quorum.fallbackAcked(toFallback.fallback());
      } else {
        quorum.fallbackFailed(toFallback.fallback()).ifPresent(this::handOff);
      }
    } else if (result.ok()) {
      quorum.keptLocally(result.handoff().intendedFor());
    } else {
      host.context().getLog().warn("no hint could be kept for {} of key {}; anti-entropy will repair it",
          result.handoff().intendedFor(), plan.record().key());
    }
    next();
  }

  private void failPendingPrimaries() {
    for (String silent : quorum.pendingPrimaries()) {
      quorum.primaryFailed(silent).ifPresent(this::handOff);
    }
  }

  private void onDeadline() {
    if (!answered) {
      answer(new Result.Failed(quorum.acks(), quorum.required()));
    }
    failPendingPrimaries();
    // Hand-offs started now get a few replica timeouts to land before the coordinator gives up.
    host.startTimer(this, RequestTimer.Kind.HARD_DEADLINE, null, plan.replicaTimeout().multipliedBy(3));
  }

  /**
   * Sends the record to a fallback, or to this node's own hint store, as a hint. With hinted
   * handoff switched off a missed write is left to anti-entropy.
   */
  private void handOff(Handoff handoff) {
    if (!plan.hintedHandoff()) {
      return;
    }
    String holder = handoff instanceof Handoff.ToFallback toFallback
        ? toFallback.fallback()
        : host.nodeId();
    long request = id();
    Asks.ask(host.context(), WriteAck.class, host.peers().hints(holder), plan.replicaTimeout(),
        ackTo -> new HintedWrite(plan.partition(), plan.record(), handoff.intendedFor(), ackTo),
        (ack, failure) -> new HintResult(request, handoff, ack != null && ack.ok()));
  }

  private void next() {
    if (!answered && quorum.isMet()) {
      answer(new Result.Ok(plan.record(), quorum.acks()));
    } else if (!answered && quorum.isImpossible()) {
      answer(new Result.Failed(quorum.acks(), quorum.required()));
    }
  }

  /**
   * Every primary acked or hinted; with handoff off, no hint will come: every primary answered. Or
   * the hard deadline passed.
   */
  @Override
  boolean isDone() {
    return givenUp
        || quorum.isComplete()
        || (!plan.hintedHandoff() && quorum.pendingPrimaries().isEmpty());
  }

  private void answer(Result result) {
    answered = true;
    replyTo.tell(result);
  }
}
