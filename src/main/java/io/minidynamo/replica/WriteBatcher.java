package io.minidynamo.replica;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The front of an event-sourced log that batches writes: used by every replica partition and by the
 * hint store.
 *
 * <p>An event-sourced actor keeps one journal write in flight and stashes everything else, one
 * persist per command. This front instead queues the writes that arrive while a batch is being
 * persisted and hands them over as the next {@link Append}, so a busy log costs one journal write
 * per round trip rather than per write. Every other message goes straight through to the log.
 *
 * <p>Invariants: at most one batch is in flight; every write gets an answer — the log's ack, or an
 * error when the queue is full ({@code maxPending}), when the log restarted after a journal failure,
 * or when the batch outlived {@code batchTimeout}.
 *
 * @param <W> the write message this front batches
 */
public final class WriteBatcher<W extends ReplicaProtocol.Command>
    extends AbstractBehavior<ReplicaProtocol.Command> {

  /** To the log: a batch of writes to persist together; {@code batch} numbers it. */
  public record Append<W>(long batch, List<W> writes) implements ReplicaProtocol.Command {}

  /** From the log: batch number {@code batch} is answered. */
  public record BatchDone(long batch) implements ReplicaProtocol.Command {}

  /** From the log: recovery finished (at start, and after a journal failure restarted it). */
  public record LogReady(int records) implements ReplicaProtocol.Command {}

  /**
   * The writes the front batches, and how it answers one it cannot pass on:
   * {@code refuse.refuse(write, node, error)} tells the write's sender.
   */
  public record Spec<W>(Class<W> writeClass, Refusal<W> refuse) {}

  /** Answers a write's sender that {@code node} did not store it. */
  @FunctionalInterface
  public interface Refusal<W> {
    void refuse(W write, String node, String error);
  }

  /** Batching limits. */
  public record Limits(int maxBatch, int maxPending, Duration batchTimeout) {}

  private enum BatchTimeout implements ReplicaProtocol.Command {
    INSTANCE
  }

  private final String nodeId;
  private final Spec<W> spec;
  private final Limits limits;
  private final ActorRef<ReplicaProtocol.Command> log;
  private final TimerScheduler<ReplicaProtocol.Command> timers;
  private final ArrayDeque<W> pending = new ArrayDeque<>();
  private List<W> inFlight = List.of();
  private long batchNumber;
  private boolean ready;

  private WriteBatcher(
      ActorContext<ReplicaProtocol.Command> context,
      TimerScheduler<ReplicaProtocol.Command> timers,
      String nodeId,
      Spec<W> spec,
      Limits limits,
      Function<ActorRef<ReplicaProtocol.Command>, Behavior<ReplicaProtocol.Command>> logFactory) {
    super(context);
    this.nodeId = nodeId;
    this.spec = spec;
    this.limits = limits;
    this.timers = timers;
    this.log = context.spawn(logFactory.apply(context.getSelf()), "log");
  }

  /**
   * @param logFactory the event-sourced log, given this front's ref; it must answer every
   *     {@link Append} with {@link BatchDone} and every recovery with {@link LogReady}
   */
  public static <W extends ReplicaProtocol.Command> Behavior<ReplicaProtocol.Command> create(
      String nodeId,
      Spec<W> spec,
      Limits limits,
      Function<ActorRef<ReplicaProtocol.Command>, Behavior<ReplicaProtocol.Command>> logFactory) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new WriteBatcher<>(context, timers, nodeId, spec, limits, logFactory)));
  }

  @Override
  public Receive<ReplicaProtocol.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(spec.writeClass(), this::onWrite)
        .onMessage(BatchDone.class, this::onBatchDone)
        .onMessage(LogReady.class, this::onLogReady)
        .onMessageEquals(BatchTimeout.INSTANCE, this::onBatchTimeout)
        .onAnyMessage(this::forward)
        .build();
  }

  private Behavior<ReplicaProtocol.Command> onWrite(W write) {
    if (pending.size() >= limits.maxPending()) {
      reply(write, "overloaded: " + pending.size() + " writes queued");
      return this;
    }
    pending.add(write);
    sendNextBatch();
    return this;
  }

  private Behavior<ReplicaProtocol.Command> forward(ReplicaProtocol.Command command) {
    log.tell(command);
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
      getContext().getLog().debug("log ready with {} records", logReady.records());
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
    for (W write : inFlight) {
      reply(write, error);
    }
    inFlight = List.of();
    timers.cancel(BatchTimeout.INSTANCE);
  }

  private void reply(W write, String error) {
    spec.refuse().refuse(write, nodeId, error);
  }

  private void sendNextBatch() {
    if (!ready || !inFlight.isEmpty() || pending.isEmpty()) {
      return;
    }
    List<W> batch = new ArrayList<>(Math.min(limits.maxBatch(), pending.size()));
    while (batch.size() < limits.maxBatch() && !pending.isEmpty()) {
      batch.add(pending.poll());
    }
    inFlight = List.copyOf(batch);
    timers.startSingleTimer(BatchTimeout.INSTANCE, limits.batchTimeout());
    log.tell(new Append<>(++batchNumber, inFlight));
  }
}
