package io.minidynamo.coordinator;

import io.minidynamo.cluster.Peers;
import io.minidynamo.cluster.Reachability;
import io.minidynamo.handoff.HintProtocol.ReadHinted;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.versioning.HybridClock;
import io.minidynamo.versioning.Record;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One client read (Riak's get FSM): asks the N primaries in parallel; a primary that fails, stays
 * silent past the replica timeout, or is known unreachable is replaced by the next fallback node,
 * whose hint store answers with the newest record it holds for the key. Answers with the newest
 * record after R replies ({@link Result.Found}, or {@link Result.NotFound} for missing or deleted),
 * or {@link Result.Failed} at the deadline. It then waits for the remaining replies until the
 * deadline and writes the newest record back to primaries that answered with an older one or none
 * (read repair, bounded by the node's {@link RepairBudget}), then stops.
 */
public final class GetCoordinator {

  /** The outcome of a client read. */
  public sealed interface Result {
    record Found(Record record) implements Result {}

    /** No replica that answered has the key, or the newest answer is a tombstone. */
    record NotFound() implements Result {}

    record Failed(int replies, int required) implements Result {}
  }

  /** Where and how a read is sent. */
  public record Plan(
      String key,
      int partition,
      List<String> primaries,
      List<String> fallbacks,
      int r,
      Duration timeout,
      Duration replicaTimeout) {}

  sealed interface Command {}

  private record ReplyReceived(ReadReply reply) implements Command {}

  /** A fallback asked in place of a failed primary stayed silent for the replica timeout. */
  private record FallbackSilent(String node) implements Command {}

  /** The replica timeout since the reads went out: every primary still silent has failed. */
  private enum PrimariesSilent implements Command {
    INSTANCE
  }

  private enum Deadline implements Command {
    INSTANCE
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Plan plan;
  private final ReadQuorum quorum;
  private final Deque<String> unusedFallbacks;
  private final Peers peers;
  private final HybridClock clock;
  private final RepairBudget repairs;
  private final ActorRef<Result> replyTo;
  private final ActorRef<ReadReply> replies;
  private boolean answered;

  private GetCoordinator(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Plan plan,
      Peers peers,
      HybridClock clock,
      RepairBudget repairs,
      ActorRef<Result> replyTo) {
    this.context = context;
    this.timers = timers;
    this.plan = plan;
    this.quorum = new ReadQuorum(plan.primaries(), plan.r());
    this.unusedFallbacks = new ArrayDeque<>(plan.fallbacks());
    this.peers = peers;
    this.clock = clock;
    this.repairs = repairs;
    this.replyTo = replyTo;
    this.replies = context.messageAdapter(ReadReply.class, ReplyReceived::new);
  }

  public static Behavior<Command> create(
      Plan plan,
      Peers peers,
      Reachability reachability,
      HybridClock clock,
      RepairBudget repairs,
      ActorRef<Result> replyTo) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      GetCoordinator coordinator =
          new GetCoordinator(context, timers, plan, peers, clock, repairs, replyTo);
      coordinator.start(reachability);
      return coordinator.collecting();
    }));
  }

  private void start(Reachability reachability) {
    // One timer for all primaries, not one each: they are asked at the same moment.
    timers.startSingleTimer(Deadline.INSTANCE, plan.timeout());
    timers.startSingleTimer(PrimariesSilent.INSTANCE, plan.replicaTimeout());
    for (String node : plan.primaries()) {
      if (reachability.isUnreachable(node)) {
        quorum.fail(node);
        askFallback();
      } else {
        peers.replica(node).tell(new Read(plan.partition(), plan.key(), replies));
      }
    }
  }

  /** Asks the next fallback's hint store in place of a failed primary, if one is left. */
  private void askFallback() {
    String fallback = unusedFallbacks.poll();
    if (fallback != null) {
      quorum.addFallback(fallback);
      peers.hints(fallback).tell(new ReadHinted(plan.partition(), plan.key(), replies));
      timers.startSingleTimer(new FallbackSilent(fallback), plan.replicaTimeout());
    }
  }

  private Behavior<Command> collecting() {
    return Behaviors.receive(Command.class)
        .onMessage(ReplyReceived.class, this::onReply)
        .onMessageEquals(PrimariesSilent.INSTANCE, this::onPrimariesSilent)
        .onMessage(FallbackSilent.class, silent -> onSilent(silent.node()))
        .onMessageEquals(Deadline.INSTANCE, this::onDeadline)
        .build();
  }

  private Behavior<Command> onReply(ReplyReceived received) {
    ReadReply reply = received.reply();
    if (reply.ok()) {
      if (reply.record() != null) {
        clock.observe(reply.record().version().timestamp());
      }
      quorum.reply(reply.node(), reply.record());
    } else if (!quorum.hasSettled(reply.node())) {
      quorum.fail(reply.node());
      askFallback();
    }
    return next();
  }

  private Behavior<Command> onPrimariesSilent() {
    for (String primary : plan.primaries()) {
      failIfSilent(primary);
    }
    return next();
  }

  private Behavior<Command> onSilent(String node) {
    failIfSilent(node);
    return next();
  }

  private void failIfSilent(String node) {
    if (!quorum.hasSettled(node)) {
      quorum.fail(node);
      askFallback();
    }
  }

  private Behavior<Command> next() {
    if (!answered && quorum.isMet()) {
      answer(quorum.newest());
    } else if (!answered && quorum.isImpossible()) {
      answered = true;
      replyTo.tell(new Result.Failed(quorum.replies(), quorum.required()));
    }
    return quorum.isComplete() ? finish() : Behaviors.same();
  }

  private void answer(Optional<Record> newest) {
    answered = true;
    replyTo.tell(newest.filter(record -> !record.tombstone())
        .<Result>map(Result.Found::new)
        .orElseGet(Result.NotFound::new));
  }

  private Behavior<Command> onDeadline() {
    if (!answered) {
      replyTo.tell(new Result.Failed(quorum.replies(), quorum.required()));
    }
    return finish();
  }

  /**
   * Read repair of the primaries that answered with an older record or none: best effort, within
   * the node's repair budget (anti-entropy repairs what is skipped).
   */
  private Behavior<Command> finish() {
    quorum.newest().ifPresent(newest -> {
      List<String> stale = quorum.staleNodes();
      if (!stale.isEmpty() && repairs.tryAcquire(stale.size())) {
        context.getLog().debug("read repair of {} on {}", newest.key(), stale);
        ActorRef<WriteAck> ignore = context.getSystem().ignoreRef();
        for (String node : stale) {
          peers.replica(node).tell(new Write(plan.partition(), newest, ignore));
        }
      }
    });
    return Behaviors.stopped();
  }
}
