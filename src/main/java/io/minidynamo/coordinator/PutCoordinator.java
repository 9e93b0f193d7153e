package io.minidynamo.coordinator;

import io.minidynamo.Asks;
import io.minidynamo.cluster.Peers;
import io.minidynamo.cluster.Reachability;
import io.minidynamo.coordinator.SloppyQuorum.Handoff;
import io.minidynamo.handoff.HintProtocol.HintedWrite;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.versioning.Record;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One client write (Riak's put FSM) under a sloppy quorum. Sends the record to the N primaries in
 * parallel; a primary that fails, does not answer within the replica timeout, or is known
 * unreachable is replaced by the next fallback node, which stores the record as a hint naming that
 * primary; with no fallback left the coordinator's own node keeps the hint. Answers
 * {@link Result.Ok} after W acknowledgements (fallbacks count) or {@link Result.Failed} at the
 * deadline, and stays until every primary acknowledged or has a durable hint somewhere (or a hard
 * deadline passes), then stops. What was written stays written either way.
 */
public final class PutCoordinator {

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

  sealed interface Command {}

  private record ReplicaAck(WriteAck ack) implements Command {}

  /** The replica timeout since the writes went out: every primary still silent has failed. */
  private enum PrimariesSilent implements Command {
    INSTANCE
  }

  private record FallbackResult(String fallback, boolean ok) implements Command {}

  private record LocalHintResult(String intendedFor, boolean ok) implements Command {}

  private enum Deadline implements Command {
    INSTANCE
  }

  private enum HardDeadline implements Command {
    INSTANCE
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Plan plan;
  private final String selfId;
  private final Peers peers;
  private final SloppyQuorum quorum;
  private final ActorRef<Result> replyTo;
  private boolean answered;

  private PutCoordinator(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Plan plan,
      String selfId,
      Peers peers,
      ActorRef<Result> replyTo) {
    this.context = context;
    this.timers = timers;
    this.plan = plan;
    this.selfId = selfId;
    this.peers = peers;
    // With hinted handoff off no fallback is ever asked: booking one would keep W "possible".
    this.quorum = new SloppyQuorum(
        plan.primaries(), plan.hintedHandoff() ? plan.fallbacks() : List.of(), plan.w());
    this.replyTo = replyTo;
  }

  public static Behavior<Command> create(
      Plan plan, String selfId, Peers peers, Reachability reachability, ActorRef<Result> replyTo) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      PutCoordinator coordinator = new PutCoordinator(context, timers, plan, selfId, peers, replyTo);
      coordinator.start(reachability);
      return coordinator.running();
    }));
  }

  private void start(Reachability reachability) {
    ActorRef<WriteAck> acks = context.messageAdapter(WriteAck.class, ReplicaAck::new);
    // Two timers per write, not one per replica: the primaries are asked at the same moment.
    timers.startSingleTimer(Deadline.INSTANCE, plan.timeout());
    timers.startSingleTimer(PrimariesSilent.INSTANCE, plan.replicaTimeout());
    for (String node : plan.primaries()) {
      if (reachability.isUnreachable(node)) {
        quorum.primaryFailed(node).ifPresent(this::handOff);
      } else {
        peers.replica(node).tell(new Write(plan.partition(), plan.record(), acks));
      }
    }
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(ReplicaAck.class, this::onReplicaAck)
        .onMessageEquals(PrimariesSilent.INSTANCE, this::onPrimariesSilent)
        .onMessage(FallbackResult.class, this::onFallbackResult)
        .onMessage(LocalHintResult.class, this::onLocalHintResult)
        .onMessageEquals(Deadline.INSTANCE, this::onDeadline)
        .onMessageEquals(HardDeadline.INSTANCE, this::onHardDeadline)
        .build();
  }

  private Behavior<Command> onReplicaAck(ReplicaAck received) {
    WriteAck ack = received.ack();
    if (ack.ok()) {
      quorum.primaryAcked(ack.node());
    } else {
      context.getLog().debug("write of {} failed on {}: {}", plan.record().key(), ack.node(), ack.error());
      quorum.primaryFailed(ack.node()).ifPresent(this::handOff);
    }
    return next();
  }

  private Behavior<Command> onPrimariesSilent() {
    for (String silent : quorum.pendingPrimaries()) {
      quorum.primaryFailed(silent).ifPresent(this::handOff);
    }
    return next();
  }

  private Behavior<Command> onFallbackResult(FallbackResult result) {
    if (result.ok()) {
      quorum.fallbackAcked(result.fallback());
    } else {
      quorum.fallbackFailed(result.fallback()).ifPresent(this::handOff);
    }
    return next();
  }

  private Behavior<Command> onLocalHintResult(LocalHintResult result) {
    if (result.ok()) {
      quorum.keptLocally(result.intendedFor());
    } else {
      context.getLog().warn("no hint could be kept for {} of key {}; anti-entropy will repair it",
          result.intendedFor(), plan.record().key());
    }
    return next();
  }

  private Behavior<Command> onDeadline() {
    if (!answered) {
      answer(new Result.Failed(quorum.acks(), quorum.required()));
    }
    for (String silent : quorum.pendingPrimaries()) {
      quorum.primaryFailed(silent).ifPresent(this::handOff);
    }
    // Hand-offs started now get a few replica timeouts to land before the coordinator gives up.
    timers.startSingleTimer(HardDeadline.INSTANCE, plan.replicaTimeout().multipliedBy(3));
    return next();
  }

  private Behavior<Command> onHardDeadline() {
    context.getLog().debug("write of {} stopped with handoff incomplete", plan.record().key());
    return Behaviors.stopped();
  }

  /**
   * Sends the record to a fallback, or to this node's own hint store, as a hint. With hinted
   * handoff switched off a missed write is left to anti-entropy.
   */
  private void handOff(Handoff handoff) {
    if (!plan.hintedHandoff()) {
      return;
    }
    if (handoff instanceof Handoff.ToFallback toFallback) {
      String fallback = toFallback.fallback();
      Asks.ask(context, WriteAck.class, peers.hints(fallback), plan.replicaTimeout(),
          replyTo -> hinted(toFallback.intendedFor(), replyTo),
          (ack, failure) -> new FallbackResult(fallback, ack != null && ack.ok()));
    } else if (handoff instanceof Handoff.KeepLocally keep) {
      Asks.ask(context, WriteAck.class, peers.hints(selfId), plan.replicaTimeout(),
          replyTo -> hinted(keep.intendedFor(), replyTo),
          (ack, failure) -> new LocalHintResult(keep.intendedFor(), ack != null && ack.ok()));
    }
  }

  private HintedWrite hinted(String intendedFor, ActorRef<WriteAck> replyTo) {
    return new HintedWrite(plan.partition(), plan.record(), intendedFor, replyTo);
  }

  private Behavior<Command> next() {
    if (!answered && quorum.isMet()) {
      answer(new Result.Ok(plan.record(), quorum.acks()));
    } else if (!answered && quorum.isImpossible()) {
      answer(new Result.Failed(quorum.acks(), quorum.required()));
    }
    return isDone() ? Behaviors.stopped() : Behaviors.same();
  }

  /** Every primary acked or hinted; with handoff off, no hint will come: every primary answered. */
  private boolean isDone() {
    return quorum.isComplete()
        || (!plan.hintedHandoff() && quorum.pendingPrimaries().isEmpty());
  }

  private void answer(Result result) {
    answered = true;
    replyTo.tell(result);
  }
}
