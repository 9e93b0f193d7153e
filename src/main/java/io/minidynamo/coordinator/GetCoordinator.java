package io.minidynamo.coordinator;

import io.minidynamo.cluster.Peers;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.versioning.HybridClock;
import io.minidynamo.versioning.Record;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One client read (Riak's get FSM): asks the N primaries in parallel, answers with the newest
 * record after R replies ({@link Result.Found} or {@link Result.NotFound} for missing or deleted),
 * or {@link Result.Failed} at the deadline. It then waits for the remaining replies until the
 * deadline and writes the newest record back to replicas that answered with an older one or none
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

  sealed interface Command {}

  private record ReplyReceived(ReadReply reply) implements Command {}

  private enum Deadline implements Command {
    INSTANCE
  }

  private final ActorContext<Command> context;
  private final int partition;
  private final ReadQuorum quorum;
  private final Peers peers;
  private final HybridClock clock;
  private final RepairBudget repairs;
  private final ActorRef<Result> replyTo;
  private boolean answered;

  private GetCoordinator(
      ActorContext<Command> context,
      int partition,
      ReadQuorum quorum,
      Peers peers,
      HybridClock clock,
      RepairBudget repairs,
      ActorRef<Result> replyTo) {
    this.context = context;
    this.partition = partition;
    this.quorum = quorum;
    this.peers = peers;
    this.clock = clock;
    this.repairs = repairs;
    this.replyTo = replyTo;
  }

  public static Behavior<Command> create(
      String key,
      int partition,
      List<String> targets,
      int r,
      Duration timeout,
      Peers peers,
      HybridClock clock,
      RepairBudget repairs,
      ActorRef<Result> replyTo) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ActorRef<ReadReply> replies = context.messageAdapter(ReadReply.class, ReplyReceived::new);
      for (String node : targets) {
        peers.replica(node).tell(new Read(partition, key, replies));
      }
      timers.startSingleTimer(Deadline.INSTANCE, timeout);
      return new GetCoordinator(
          context, partition, new ReadQuorum(targets, r), peers, clock, repairs, replyTo)
          .collecting();
    }));
  }

  private Behavior<Command> collecting() {
    return Behaviors.receive(Command.class)
        .onMessage(ReplyReceived.class, this::onReply)
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
    } else {
      quorum.fail(reply.node());
    }
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
   * Read repair of the replicas that answered with an older record or none: best effort, within the
   * node's repair budget (anti-entropy repairs what is skipped).
   */
  private Behavior<Command> finish() {
    quorum.newest().ifPresent(newest -> {
      List<String> stale = quorum.staleNodes();
      if (!stale.isEmpty() && repairs.tryAcquire(stale.size())) {
        context.getLog().debug("read repair of {} on {}", newest.key(), stale);
        ActorRef<WriteAck> ignore = context.getSystem().ignoreRef();
        for (String node : stale) {
          peers.replica(node).tell(new Write(partition, newest, ignore));
        }
      }
    });
    return Behaviors.stopped();
  }
}
