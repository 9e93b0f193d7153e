package io.minidynamo.handoff;

import io.micrometer.core.instrument.Counter;
import io.minidynamo.cluster.Peers;
import io.minidynamo.handoff.HintProtocol.GetHintFloor;
import io.minidynamo.handoff.HintProtocol.GetHintTargets;
import io.minidynamo.handoff.HintProtocol.GetStats;
import io.minidynamo.handoff.HintProtocol.HintFloor;
import io.minidynamo.handoff.HintProtocol.HintTargets;
import io.minidynamo.handoff.HintProtocol.HintedWrite;
import io.minidynamo.handoff.HintProtocol.Nudge;
import io.minidynamo.handoff.HintProtocol.ReadHinted;
import io.minidynamo.handoff.HintProtocol.Stats;
import io.minidynamo.metrics.NodeMetrics;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.replica.WriteBatcher.Append;
import io.minidynamo.replica.WriteBatcher.BatchDone;
import io.minidynamo.replica.WriteBatcher.LogReady;
import io.minidynamo.versioning.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The event-sourced hint store of a node (durable hinted handoff): hints arrive in batches from its
 * {@link io.minidynamo.replica.WriteBatcher} front and are acknowledged once journaled; delivery
 * sends each target's hints, oldest first, in batches as ordinary replica writes.
 *
 * <p>Invariants: a hint is removed only after the target acknowledged its record (which the target
 * does once the record, or a newer version, is fsynced), and only by an answer to the batch in
 * flight (its writes carry the batch's number as their request id: a late ack for a batch given up
 * on may be for an older record of the same key); at most one batch per target is in flight;
 * a target that failed is probed with a single hint before a full batch is sent again. Once the
 * target has answered every hint of a batch and accepted at least one, the next batch goes as soon
 * as the accepted ones' removal is journaled, not at the next delivery tick: a returning node gets
 * its backlog at the pace it acknowledges. A batch refused entirely, or timed out, waits for the
 * tick (or a nudge), so a target that refuses is not sent the same hints in a loop. Several
 * hints for one key go as the newest record only (last-write-wins makes the older ones moot).
 *
 * <p>Hint floor (what makes tombstone purge safe against late hints): on {@link GetHintFloor} the
 * log answers a version timestamp below which it holds no hint and promises to store none — the
 * older of its oldest pending hint's record and now minus {@code maxAge} (the tombstone grace), and
 * never below a floor it answered before. A hinted write older than the floor is refused (its
 * coordinator sees a failed fallback, never a silent drop); hints are written within a request's
 * deadline of their version, far below any sensible grace, so in practice none is refused.
 */
final class HintLog extends EventSourcedBehavior<ReplicaProtocol.Command, HintEvent, HintState> {

  /** Delivery tuning. */
  record Settings(
      Duration interval, int batchSize, Duration timeout, Duration probeTimeout, int snapshotEvery, Duration maxAge) {}

  private enum Tick implements ReplicaProtocol.Command {
    INSTANCE
  }

  private record DeliveryAck(WriteAck ack) implements ReplicaProtocol.Command {}

  private record DeliveryTimeout(String target) implements ReplicaProtocol.Command {}

  /**
   * One target's delivery: the batch in flight (key to the hint ids it settles), the number its
   * writes carry as their request id, and failures.
   */
  private static final class Delivery {
    final Map<String, List<Long>> inFlight = new HashMap<>();
    /** The request id of the batch in flight; an answer carrying another is for one given up on. */
    long batch;
    final List<Long> acknowledged = new ArrayList<>();
    int failures;
    /** Between the first batch sent and the target's last hint delivered: for the log lines. */
    boolean active;
  }

  private final String nodeId;
  private final ActorContext<ReplicaProtocol.Command> context;
  private final TimerScheduler<ReplicaProtocol.Command> timers;
  private final ActorRef<ReplicaProtocol.Command> front;
  private final Peers peers;
  private final Settings settings;
  private final LongSupplier wallMillis;
  private final ActorRef<WriteAck> ackAdapter;
  private final Map<String, Delivery> deliveries = new HashMap<>();
  private final AtomicLong pendingGauge;
  private final Counter deliveredCounter;
  private long failedAttempts;
  /** The last batch number sent to any target (a write's request id; 0 means none). */
  private long batches;
  /** The highest hint floor answered (a version timestamp); hinted writes below it are refused. */
  private long floor = Long.MIN_VALUE;

  private HintLog(
      ActorContext<ReplicaProtocol.Command> context,
      TimerScheduler<ReplicaProtocol.Command> timers,
      String nodeId,
      ActorRef<ReplicaProtocol.Command> front,
      Peers peers,
      Settings settings,
      LongSupplier wallMillis) {
    super(
        PersistenceId.ofUniqueId("hints-" + nodeId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.timers = timers;
    this.nodeId = nodeId;
    this.front = front;
    this.peers = peers;
    this.settings = settings;
    this.wallMillis = wallMillis;
    this.ackAdapter = context.messageAdapter(WriteAck.class, DeliveryAck::new);
    NodeMetrics metrics = NodeMetrics.get(context.getSystem());
    this.pendingGauge = metrics.gaugeValue("minidynamo_hints_pending", "hints held for other nodes");
    this.deliveredCounter = metrics.counter("minidynamo_hints_delivered", "hints delivered and removed");
  }

  static Behavior<ReplicaProtocol.Command> create(
      String nodeId,
      ActorRef<ReplicaProtocol.Command> front,
      Peers peers,
      Settings settings,
      LongSupplier wallMillis) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
      return new HintLog(context, timers, nodeId, front, peers, settings, wallMillis);
    }));
  }

  /**
   * The one object Pekko starts every recovery from, also after a journal failure restarted the
   * log: never written to, so a restart does not replay the journal onto the live state (which
   * still holds the batch that failed). The first event applied to it starts a new state.
   */
  private final HintState pristine = new HintState();

  @Override
  public HintState emptyState() {
    return pristine;
  }

  @Override
  public CommandHandler<ReplicaProtocol.Command, HintEvent, HintState> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Append.class, this::onAppend)
        .onCommand(Tick.class, (state, tick) -> onTick(state))
        .onCommand(Nudge.class, this::onNudge)
        .onCommand(DeliveryAck.class, this::onDeliveryAck)
        .onCommand(DeliveryTimeout.class, this::onDeliveryTimeout)
        .onCommand(GetStats.class, this::onGetStats)
        .onCommand(ReadHinted.class, this::onReadHinted)
        .onCommand(GetHintFloor.class, this::onGetHintFloor)
        .onCommand(GetHintTargets.class, (state, get) -> {
          get.replyTo().tell(new HintTargets(nodeId, state.countsByTarget().keySet()));
          return Effect().none();
        })
        .build();
  }

  private Effect<HintEvent, HintState> onAppend(HintState state, Append<?> append) {
    List<HintedWrite> writes = new ArrayList<>();
    for (Object write : append.writes()) {
      HintedWrite hinted = (HintedWrite) write;
      if (hinted.record().version().timestamp() < floor) {
        hinted.fail(nodeId, "hint refused: its record is older than this store's hint floor (tombstone grace)");
      } else {
        writes.add(hinted);
      }
    }
    if (writes.isEmpty()) {
      front.tell(new BatchDone(append.batch()));
      return Effect().none();
    }
    List<HintEvent> events = new ArrayList<>(writes.size());
    long id = state.nextId();
    long now = wallMillis.getAsLong();
    for (HintedWrite write : writes) {
      events.add(new HintEvent.Stored(
          new Hint(id++, write.intendedFor(), write.partition(), write.record(), now)));
    }
    return Effect().persist(events).thenRun(newState -> {
      for (HintedWrite write : writes) {
        write.replyTo().tell(WriteAck.ok(nodeId, write.record().key()));
      }
      front.tell(new BatchDone(append.batch()));
    });
  }

  private Effect<HintEvent, HintState> onTick(HintState state) {
    for (String target : state.targets()) {
      deliver(state, target);
    }
    return Effect().none();
  }

  /**
   * Delivers to the target now. A probe in flight is given up and sent again: it may have gone to
   * the target before it could answer (still starting, or its old incarnation), and a nudge says
   * it is back. A late answer to the old probe settles nothing: only the new probe's answer does.
   */
  private Effect<HintEvent, HintState> onNudge(HintState state, Nudge nudge) {
    Delivery delivery = deliveries.get(nudge.target());
    if (delivery != null && delivery.failures > 0 && !delivery.inFlight.isEmpty()) {
      delivery.inFlight.clear();
      timers.cancel("delivery-" + nudge.target());
    }
    deliver(state, nudge.target());
    return Effect().none();
  }

  /** Sends the next batch to {@code target} unless one is in flight. */
  private void deliver(HintState state, String target) {
    Delivery delivery = deliveries.computeIfAbsent(target, t -> new Delivery());
    if (!delivery.inFlight.isEmpty() || !delivery.acknowledged.isEmpty()) {
      return;
    }
    int max = delivery.failures > 0 ? 1 : settings.batchSize();
    List<Hint> batch = state.oldest(target, max, Set.of());
    if (batch.isEmpty()) {
      return;
    }
    Map<String, Hint> newestPerKey = new LinkedHashMap<>();
    for (Hint hint : batch) {
      delivery.inFlight.computeIfAbsent(hint.record().key(), key -> new ArrayList<>()).add(hint.id());
      newestPerKey.merge(hint.record().key(), hint,
          (a, b) -> Record.newer(a.record(), b.record()) == a.record() ? a : b);
    }
    if (!delivery.active) {
      delivery.active = true;
      context.getLog().info("hint delivery to {} started ({} pending)",
          target, state.countsByTarget().getOrDefault(target, 0));
    }
    delivery.batch = ++batches;
    ActorRef<ReplicaProtocol.Command> replica = peers.replica(target);
    for (Hint hint : newestPerKey.values()) {
      Record record = hint.record();
      if (max == 1) {
        // A probe goes out again and again while the target is down, and remoting may hold those
        // messages until it is back: send the newest record held for the key, not a stale one.
        record = Record.newer(record, state.newest(hint.partition(), record.key()));
      }
      replica.tell(new Write(hint.partition(), record, delivery.batch, ackAdapter));
    }
    timers.startSingleTimer("delivery-" + target, new DeliveryTimeout(target),
        max == 1 ? settings.probeTimeout() : settings.timeout());
  }

  private Effect<HintEvent, HintState> onDeliveryAck(HintState state, DeliveryAck received) {
    WriteAck ack = received.ack();
    Delivery delivery = deliveries.get(ack.node());
    if (delivery == null) {
      return Effect().none();
    }
    if (ack.request() != delivery.batch) {
      // An answer for a batch given up on (timed out, or a probe a nudge replaced): the record it
      // acknowledges may be older than the one the batch in flight carries for the same key.
      return Effect().none();
    }
    List<Long> ids = delivery.inFlight.remove(ack.key());
    if (ids == null) {
      return Effect().none();
    }
    if (ack.ok()) {
      delivery.acknowledged.addAll(ids);
    } else {
      context.getLog().debug("hint for {} refused by {}: {}", ack.key(), ack.node(), ack.error());
    }
    if (!delivery.inFlight.isEmpty()) {
      return Effect().none();
    }
    timers.cancel("delivery-" + ack.node());
    if (delivery.failures > 0) {
      context.getLog().info("hint delivery to {} resumed", ack.node());
    }
    delivery.failures = 0;
    return settle(ack.node(), delivery, true);
  }

  private Effect<HintEvent, HintState> onDeliveryTimeout(HintState state, DeliveryTimeout timeout) {
    Delivery delivery = deliveries.get(timeout.target());
    if (delivery == null || delivery.inFlight.isEmpty()) {
      return Effect().none();
    }
    delivery.inFlight.clear();
    failedAttempts++;
    if (delivery.failures++ == 0) {
      context.getLog().info("hint delivery to {} failed ({} pending); probing until it answers",
          timeout.target(), state.countsByTarget().getOrDefault(timeout.target(), 0));
    }
    return settle(timeout.target(), delivery, false);
  }

  /**
   * Journals the hints {@code target} acknowledged, so they are never sent again; then, with
   * {@code sendNext}, sends the target its next batch.
   */
  private Effect<HintEvent, HintState> settle(String target, Delivery delivery, boolean sendNext) {
    if (delivery.acknowledged.isEmpty()) {
      return Effect().none();
    }
    List<Long> ids = List.copyOf(delivery.acknowledged);
    delivery.acknowledged.clear();
    return Effect().persist(new HintEvent.Delivered(target, ids)).thenRun(newState -> {
      if (!newState.countsByTarget().containsKey(target)) {
        delivery.active = false;
        context.getLog().info("hint delivery to {} finished", target);
      } else if (sendNext) {
        deliver(newState, target);
      }
    });
  }

  private Effect<HintEvent, HintState> onReadHinted(HintState state, ReadHinted read) {
    read.replyTo().tell(new ReadReply(
        nodeId, read.key(), read.request(), state.newest(read.partition(), read.key()), null));
    return Effect().none();
  }

  private Effect<HintEvent, HintState> onGetHintFloor(HintState state, GetHintFloor get) {
    floor = HintFloors.next(floor, state.oldestRecordTimestamp(), wallMillis.getAsLong(), settings.maxAge());
    get.replyTo().tell(new HintFloor(nodeId, floor));
    return Effect().none();
  }

  private Effect<HintEvent, HintState> onGetStats(HintState state, GetStats get) {
    long oldest = state.oldestStoredAtMillis();
    List<String> delivering = deliveries.entrySet().stream()
        .filter(entry -> !entry.getValue().inFlight.isEmpty())
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
    get.replyTo().tell(new Stats(
        state.count(),
        state.countsByTarget(),
        state.delivered(),
        failedAttempts,
        oldest < 0 ? 0 : Math.max(0, wallMillis.getAsLong() - oldest),
        delivering));
    return Effect().none();
  }

  @Override
  public EventHandler<HintState, HintEvent> eventHandler() {
    return (state, event) -> {
      HintState target = state == pristine ? new HintState() : state;
      if (event instanceof HintEvent.Stored stored) {
        target.add(stored.hint());
      } else if (event instanceof HintEvent.Delivered delivered) {
        long before = target.delivered();
        target.remove(delivered.target(), delivered.ids());
        deliveredCounter.increment(target.delivered() - before);
      }
      pendingGauge.set(target.count());
      return target;
    };
  }

  @Override
  public SignalHandler<HintState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.count() > 0) {
            context.getLog().info("recovered {} pending hints for {}", state.count(), state.countsByTarget());
          }
          front.tell(new LogReady(state.count()));
        })
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public SnapshotAdapter<HintState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(HintState state) {
        return state.toSnapshot();
      }

      @Override
      public HintState fromJournal(Object from) {
        return HintState.fromSnapshot((HintState.Snapshot) from);
      }
    };
  }
}
