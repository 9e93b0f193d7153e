package io.minidynamo.coordinator;

import io.minidynamo.cluster.Peers;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.versioning.Record;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One client write (Riak's put FSM): sends the record to the N primaries in parallel, answers
 * {@link Result.Ok} after W acknowledgements or {@link Result.Failed} at the deadline (or as soon as
 * W can no longer be reached), then stops. What was written stays written either way.
 */
public final class PutCoordinator {

  /** The outcome of a client write. */
  public sealed interface Result {
    /** W replicas acknowledged (fsynced) the record. */
    record Ok(Record record, int acks) implements Result {}

    /** Fewer than W acknowledged in time. */
    record Failed(int acks, int required) implements Result {}
  }

  sealed interface Command {}

  private record AckReceived(WriteAck ack) implements Command {}

  private enum Deadline implements Command {
    INSTANCE
  }

  private final ActorContext<Command> context;
  private final Record record;
  private final WriteQuorum quorum;
  private final ActorRef<Result> replyTo;

  private PutCoordinator(
      ActorContext<Command> context, Record record, WriteQuorum quorum, ActorRef<Result> replyTo) {
    this.context = context;
    this.record = record;
    this.quorum = quorum;
    this.replyTo = replyTo;
  }

  /**
   * @param targets the primaries of the record's partition
   * @param w acknowledgements required
   */
  public static Behavior<Command> create(
      Record record,
      int partition,
      List<String> targets,
      int w,
      Duration timeout,
      Peers peers,
      ActorRef<Result> replyTo) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ActorRef<WriteAck> acks = context.messageAdapter(WriteAck.class, AckReceived::new);
      for (String node : targets) {
        peers.replica(node).tell(new Write(partition, record, acks));
      }
      timers.startSingleTimer(Deadline.INSTANCE, timeout);
      return new PutCoordinator(context, record, new WriteQuorum(targets, w), replyTo).waiting();
    }));
  }

  private Behavior<Command> waiting() {
    return Behaviors.receive(Command.class)
        .onMessage(AckReceived.class, this::onAck)
        .onMessageEquals(Deadline.INSTANCE, this::onDeadline)
        .build();
  }

  private Behavior<Command> onAck(AckReceived received) {
    WriteAck ack = received.ack();
    if (ack.ok()) {
      quorum.ack(ack.node());
    } else {
      context.getLog().debug("write of {} failed on {}: {}", record.key(), ack.node(), ack.error());
      quorum.fail(ack.node());
    }
    if (quorum.isMet()) {
      replyTo.tell(new Result.Ok(record, quorum.acks()));
      return Behaviors.stopped();
    }
    if (quorum.isImpossible()) {
      return fail();
    }
    return Behaviors.same();
  }

  private Behavior<Command> onDeadline() {
    return fail();
  }

  private Behavior<Command> fail() {
    replyTo.tell(new Result.Failed(quorum.acks(), quorum.required()));
    return Behaviors.stopped();
  }
}
