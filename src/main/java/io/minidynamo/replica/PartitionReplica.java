package io.minidynamo.replica;

import io.minidynamo.replica.PartitionLog.Append;
import io.minidynamo.replica.PartitionLog.BatchDone;
import io.minidynamo.replica.PartitionLog.LogReady;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.versioning.HybridClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One replica partition on this node: the front that batches writes for its {@link PartitionLog}.
 *
 * <p>An event-sourced actor keeps one journal write in flight and stashes everything else, one
 * persist per command. This front instead queues the writes that arrive while a batch is being
 * persisted and hands them over as the next batch, so a partition under load costs one journal
 * write per round trip rather than per write. Reads go straight through.
 *
 * <p>Invariants: at most one batch is in flight; every write gets an answer — the log's ack, or an
 * error when the queue is full ({@code maxPending}), when the log restarted after a journal failure,
 * or when the batch outlived {@code batchTimeout}.
 */
final class PartitionReplica extends AbstractBehavior<ReplicaProtocol.Command> {

  private enum BatchTimeout implements ReplicaProtocol.Command {
    INSTANCE
  }

  private final String nodeId;
  private final HybridClock clock;
  private final ActorRef<ReplicaProtocol.Command> log;
  private final TimerScheduler<ReplicaProtocol.Command> timers;
  private final int maxBatch;
  private final int maxPending;
  private final Duration batchTimeout;
  private final ArrayDeque<Write> pending = new ArrayDeque<>();
  private List<Write> inFlight = List.of();
  private long batchNumber;
  private boolean ready;

  private PartitionReplica(
      ActorContext<ReplicaProtocol.Command> context,
      TimerScheduler<ReplicaProtocol.Command> timers,
      String nodeId,
      int partition,
      HybridClock clock,
      ReplicaSettings settings) {
    super(context);
    this.nodeId = nodeId;
    this.clock = clock;
    this.timers = timers;
    this.maxBatch = settings.maxBatch();
    this.maxPending = settings.maxPending();
    this.batchTimeout = settings.batchTimeout();
    this.log = context.spawn(
        PartitionLog.create(nodeId, partition, context.getSelf(), settings.snapshotEvery()), "log");
  }

  /** Batching and snapshot settings of a replica partition. */
  record ReplicaSettings(int maxBatch, int maxPending, Duration batchTimeout, int snapshotEvery) {}

  static Behavior<ReplicaProtocol.Command> create(
      String nodeId, int partition, HybridClock clock, ReplicaSettings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new PartitionReplica(context, timers, nodeId, partition, clock, settings)));
  }

  @Override
  public Receive<ReplicaProtocol.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Write.class, this::onWrite)
        .onMessage(Read.class, this::onRead)
        .onMessage(BatchDone.class, this::onBatchDone)
        .onMessage(LogReady.class, this::onLogReady)
        .onMessageEquals(BatchTimeout.INSTANCE, this::onBatchTimeout)
        .build();
  }

  private Behavior<ReplicaProtocol.Command> onWrite(Write write) {
    clock.observe(write.record().version().timestamp());
    if (pending.size() >= maxPending) {
      write.replyTo().tell(new WriteAck(nodeId, write.record().key(), "replica overloaded"));
      return this;
    }
    pending.add(write);
    sendNextBatch();
    return this;
  }

  private Behavior<ReplicaProtocol.Command> onRead(Read read) {
    log.tell(read);
    return this;
  }

  private Behavior<ReplicaProtocol.Command> onBatchDone(BatchDone done) {
    if (done.batch() != batchNumber || inFlight.isEmpty()) {
      return this; // a batch already failed by timeout: its writes were answered then
    }
    timers.cancel(BatchTimeout.INSTANCE);
    inFlight = List.of();
    sendNextBatch();
    return this;
  }

  private Behavior<ReplicaProtocol.Command> onLogReady(LogReady logReady) {
    if (!ready) {
      getContext().getLog().debug("partition log ready with {} records", logReady.records());
    }
    // After a journal failure the log restarted: the batch it held will never be answered by it.
    failInFlight("journal write failed");
    ready = true;
    sendNextBatch();
    return this;
  }

  private Behavior<ReplicaProtocol.Command> onBatchTimeout() {
    failInFlight("journal write timed out");
    sendNextBatch();
    return this;
  }

  private void failInFlight(String error) {
    if (inFlight.isEmpty()) {
      return;
    }
    getContext().getLog().warn("{} writes not acknowledged: {}", inFlight.size(), error);
    for (Write write : inFlight) {
      write.replyTo().tell(new WriteAck(nodeId, write.record().key(), error));
    }
    inFlight = List.of();
    timers.cancel(BatchTimeout.INSTANCE);
  }

  private void sendNextBatch() {
    if (!ready || !inFlight.isEmpty() || pending.isEmpty()) {
      return;
    }
    List<Write> batch = new ArrayList<>(Math.min(maxBatch, pending.size()));
    while (batch.size() < maxBatch && !pending.isEmpty()) {
      batch.add(pending.poll());
    }
    inFlight = batch;
    timers.startSingleTimer(BatchTimeout.INSTANCE, batchTimeout);
    log.tell(new Append(++batchNumber, List.copyOf(batch)));
  }
}
