package io.minidynamo.coordinator;

import io.minidynamo.cluster.Peers;
import io.minidynamo.cluster.Reachability;
import io.minidynamo.replica.CommittedReads;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.ring.Ring;
import io.minidynamo.versioning.HybridClock;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Where client requests enter the actor world, and where they are coordinated: stamps writes with
 * this node's hybrid clock, finds the key's partition, primaries and fallbacks on the ring, and runs
 * each request's state machine ({@link PutCoordinator}, {@link GetCoordinator}: Riak's put and get
 * FSMs) inside this one long-lived actor.
 *
 * <p>One actor for all requests rather than one per request: a request costs no actor spawn and
 * stop, no message adapter of its own, and its replicas answer one ref that never changes (which
 * remoting resolves from its cache instead of parsing a new temporary path each time). Replicas echo
 * the request id given in each {@code Write} and {@code Read}, by which answers find their request.
 * A request is dropped, and its timers with it, once its state machine says it is done.
 */
public final class Coordinators extends AbstractBehavior<Coordinators.Command> {

  /** Client requests, already validated by the HTTP layer, and the answers of replicas and timers. */
  public interface Command {}

  /** A put ({@code value}) or a delete ({@code value == null}: a tombstone). */
  public record ClientWrite(
      String key, byte[] value, int w, Duration timeout, ActorRef<PutCoordinator.Result> replyTo)
      implements Command {
    public boolean isDelete() {
      return value == null;
    }
  }

  public record ClientRead(
      String key, int r, Duration timeout, ActorRef<GetCoordinator.Result> replyTo)
      implements Command {}

  /** A write already planned: what {@link ClientWrite} becomes (tests send it directly). */
  record PlannedWrite(PutCoordinator.Plan plan, ActorRef<PutCoordinator.Result> replyTo)
      implements Command {}

  /** A read already planned: what {@link ClientRead} becomes (tests send it directly). */
  record PlannedRead(GetCoordinator.Plan plan, ActorRef<GetCoordinator.Result> replyTo)
      implements Command {}

  /**
   * A request's timer, due at {@code dueNanos} ({@link System#nanoTime()}). Kept by its request, not
   * by Pekko's scheduler: a sweep every {@link #SWEEP_INTERVAL} fires the due ones, so a request
   * that finishes first (nearly all do) leaves nothing scheduled behind it.
   */
  record RequestTimer(Kind kind, String node, long dueNanos) {
    enum Kind {
      /** The replica timeout since the primaries were asked. */
      PRIMARIES_SILENT,
      /** The replica timeout since fallback {@code node} was asked. */
      FALLBACK_SILENT,
      /** The client's deadline. */
      DEADLINE,
      /** After the deadline: hand-offs still in flight are given up. */
      HARD_DEADLINE
    }
  }

  /** How often the requests' timers are checked: a timer fires up to this much (plus a tick) late. */
  static final Duration SWEEP_INTERVAL = Duration.ofMillis(10);

  private enum Sweep implements Command {
    INSTANCE
  }

  private record AckReceived(WriteAck ack) implements Command {}

  private record ReplyReceived(ReadReply reply) implements Command {}

  /**
   * Coordinator tuning, and the node-wide read repair budget they share.
   *
   * @param hintedHandoff whether a failed primary is handed to a fallback (or kept as a hint here)
   */
  public record Settings(Duration replicaTimeout, boolean hintedHandoff, RepairBudget repairs) {}

  private final String nodeId;
  private final Ring ring;
  private final Peers peers;
  private final CommittedReads committed;
  private final HybridClock clock;
  private final Reachability reachability;
  private final Settings settings;
  private final TimerScheduler<Command> timers;
  private final boolean stopWhenIdle;
  private final ActorRef<WriteAck> acks;
  private final ActorRef<ReadReply> replies;
  private final Map<Long, Request> requests = new HashMap<>();
  private long lastRequest;
  private boolean sweeping;

  private Coordinators(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      String nodeId,
      Ring ring,
      Peers peers,
      CommittedReads committed,
      HybridClock clock,
      Reachability reachability,
      Settings settings,
      boolean stopWhenIdle) {
    super(context);
    this.timers = timers;
    this.nodeId = nodeId;
    this.ring = ring;
    this.peers = peers;
    this.committed = committed;
    this.clock = clock;
    this.reachability = reachability;
    this.settings = settings;
    this.stopWhenIdle = stopWhenIdle;
    this.acks = context.messageAdapter(WriteAck.class, AckReceived::new);
    this.replies = context.messageAdapter(ReadReply.class, ReplyReceived::new);
  }

  /**
   * @param committed this node's replica partitions, read directly when this node is a primary of
   *     a read key (no message to the local replica actors)
   */
  public static Behavior<Command> create(
      String nodeId,
      Ring ring,
      Peers peers,
      CommittedReads committed,
      HybridClock clock,
      Reachability reachability,
      Settings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Coordinators(
        context, timers, nodeId, ring, peers, committed, clock, reachability, settings, false)));
  }

  /**
   * Coordinates the one planned request {@code first} and stops once it is done: how tests watch a
   * single request's state machine from start to end.
   */
  static Behavior<Command> single(
      String nodeId,
      Peers peers,
      Reachability reachability,
      HybridClock clock,
      RepairBudget repairs,
      Command first) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      Coordinators coordinators = new Coordinators(context, timers, nodeId, null, peers,
          CommittedReads.none(), clock, reachability, new Settings(Duration.ZERO, true, repairs), true);
      context.getSelf().tell(first);
      return coordinators;
    }));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ClientWrite.class, this::onClientWrite)
        .onMessage(ClientRead.class, this::onClientRead)
        .onMessage(PlannedWrite.class, planned ->
            start(new PutCoordinator(++lastRequest, planned.plan(), this, planned.replyTo())))
        .onMessage(PlannedRead.class, planned ->
            start(new GetCoordinator(++lastRequest, planned.plan(), this, planned.replyTo())))
        .onMessage(AckReceived.class, received ->
            step(received.ack().request(), request -> request.onWriteAck(received.ack())))
        .onMessage(ReplyReceived.class, received ->
            step(received.reply().request(), request -> request.onReadReply(received.reply())))
        .onMessageEquals(Sweep.INSTANCE, this::onSweep)
        .onMessage(PutCoordinator.HintResult.class, result ->
            step(result.request(), request -> request.onHintResult(result)))
        .build();
  }

  /** How long a primary may stay silent before a fallback stands in: capped at half the deadline. */
  private Duration replicaTimeout(Duration requestTimeout) {
    Duration half = requestTimeout.dividedBy(2);
    return settings.replicaTimeout().compareTo(half) <= 0 ? settings.replicaTimeout() : half;
  }

  private Behavior<Command> onClientWrite(ClientWrite write) {
    Version version = new Version(clock.now(), nodeId);
    Record record = write.isDelete()
        ? Record.tombstone(write.key(), version)
        : Record.put(write.key(), write.value(), version);
    int partition = ring.partitionOf(write.key());
    PutCoordinator.Plan plan = new PutCoordinator.Plan(
        record, partition, ring.primaries(partition), ring.fallbacks(partition), write.w(),
        write.timeout(), replicaTimeout(write.timeout()), settings.hintedHandoff());
    return start(new PutCoordinator(++lastRequest, plan, this, write.replyTo()));
  }

  private Behavior<Command> onClientRead(ClientRead read) {
    int partition = ring.partitionOf(read.key());
    GetCoordinator.Plan plan = new GetCoordinator.Plan(
        read.key(), partition, ring.primaries(partition), ring.fallbacks(partition), read.r(),
        read.timeout(), replicaTimeout(read.timeout()));
    return start(new GetCoordinator(++lastRequest, plan, this, read.replyTo()));
  }

  private Behavior<Command> start(Request request) {
    requests.put(request.id(), request);
    request.start();
    return afterStep(request);
  }

  /** Feeds an answer or timer to request {@code id}; one for a request already done is dropped. */
  private Behavior<Command> step(long id, Consumer<Request> feed) {
    Request request = requests.get(id);
    if (request == null) {
      return this;
    }
    feed.accept(request);
    return afterStep(request);
  }

  private Behavior<Command> afterStep(Request request) {
    if (!request.isDone()) {
      return this;
    }
    requests.remove(request.id());
    return stopWhenIdle && requests.isEmpty() ? Behaviors.stopped() : this;
  }

  /** Fires every due timer, in due order per request; stops sweeping once no request is left. */
  private Behavior<Command> onSweep() {
    long now = System.nanoTime();
    for (Request request : List.copyOf(requests.values())) { // afterStep removes finished ones
      RequestTimer timer;
      while (!request.isDone() && (timer = request.pollDueTimer(now)) != null) {
        request.onTimer(timer.kind(), timer.node());
      }
      afterStep(request);
    }
    if (requests.isEmpty()) {
      timers.cancel(Sweep.INSTANCE);
      sweeping = false;
    }
    return stopWhenIdle && requests.isEmpty() ? Behaviors.stopped() : this;
  }

  // --- what a request's state machine uses of its host ---

  String nodeId() {
    return nodeId;
  }

  Peers peers() {
    return peers;
  }

  /** This node's own replica partitions, readable without a message. */
  CommittedReads committed() {
    return committed;
  }

  Reachability reachability() {
    return reachability;
  }

  HybridClock clock() {
    return clock;
  }

  RepairBudget repairs() {
    return settings.repairs();
  }

  /** Where replicas send their {@link WriteAck}s, carrying the write's request id. */
  ActorRef<WriteAck> acks() {
    return acks;
  }

  /** Where replicas and hint stores send their {@link ReadReply}s, carrying the request id. */
  ActorRef<ReadReply> replies() {
    return replies;
  }

  ActorContext<Command> context() {
    return getContext();
  }

  /** Starts {@code request}'s timer {@code kind} (for {@code node}, or null); dropped when done. */
  void startTimer(Request request, RequestTimer.Kind kind, String node, Duration after) {
    request.addTimer(new RequestTimer(kind, node, System.nanoTime() + after.toNanos()));
    if (!sweeping) {
      sweeping = true;
      timers.startTimerWithFixedDelay(Sweep.INSTANCE, SWEEP_INTERVAL);
    }
  }
}
