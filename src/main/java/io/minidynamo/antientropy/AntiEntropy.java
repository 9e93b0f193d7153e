package io.minidynamo.antientropy;

import io.minidynamo.cluster.Peers;
import io.minidynamo.cluster.Reachability;
import io.minidynamo.handoff.HintProtocol;
import io.minidynamo.metrics.NodeMetrics;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.ring.Ring;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The anti-entropy manager of a node: every {@code interval} it starts a round — one
 * {@link AntiEntropyExchange} per (partition this node replicates, other replica of it) — unless the
 * previous round is still running, with at most {@code maxConcurrent} exchanges at a time. A round
 * that repaired anything is followed at once by the next one (a node catching up does not wait an
 * interval between rounds). Peers the failure detector marks unreachable are skipped for the round,
 * and so is the rest of a peer's pairs once an exchange with it failed this round (a peer that is
 * down or still starting costs one exchange timeout per round, not one per partition). Keeps the
 * counters {@code /debug/ae} shows.
 *
 * <p>Handoff first: before a round it asks every reachable node's hint store which nodes it holds
 * hints for, and the round leaves out its pairs with such a node, and all its pairs while hints
 * are pending for this node itself: hinted handoff is delivering those writes already, and a
 * returning node that got them from both would do the work twice. The wait for a node lasts at
 * most {@code handoffDeferral}, counted over the rounds in which the node's own hint store
 * answered (it was up to take its hints), so that a hint that cannot be delivered never stops
 * anti-entropy with it.
 *
 * <p>Tombstone purge: each tick, unless a purge pass is still running, it asks every node's hint
 * store for its hint floor; with all answered it computes the {@link PurgeCutoff} and tells each
 * local partition to purge (a bounded batch of) the tombstones below it that every replica holds
 * ({@link TombstoneTracker}). No node may be skipped: a node that does not answer may hold a hint
 * with an older write of a deleted key, so the pass is abandoned.
 */
public final class AntiEntropy {
  public static final String NAME = "antientropy";
  /** How long a round waits for a hint store's targets (a node still starting may not answer). */
  private static final Duration TARGETS_TIMEOUT = Duration.ofSeconds(1);

  /** Tuning. */
  public record Settings(
      boolean enabled,
      Duration interval,
      int maxConcurrent,
      AntiEntropyExchange.Settings exchange,
      Duration tombstoneGrace,
      int purgeBatch,
      Duration handoffDeferral) {}

  public sealed interface Command {}

  public record GetStats(ActorRef<Stats> replyTo) implements Command {}

  /** What {@code /debug/ae} shows. */
  public record Stats(
      boolean enabled,
      long rounds,
      long exchanges,
      int partitionsInSync,
      int partitionsOutOfSync,
      long hashesCompared,
      long keysPushed,
      long keysPulled,
      long errors,
      String lastError,
      Map<String, Long> lastExchangeMillisByPeer,
      long tombstonesPurged,
      long tombstonesPendingPurge,
      long purgePasses,
      String lastPurgeBlockedBy,
      List<String> deferredForHandoff) {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Finished(AntiEntropyExchange.Result result) implements Command {}

  private record FloorAnswered(long pass, String node, long floor, String error) implements Command {}

  private record PurgeAnswered(long pass, ReplicaProtocol.Purged purged) implements Command {}

  /** A hint store's answer before a round; {@code targets} null when it did not answer. */
  private record TargetsAnswered(long ask, String holder, Set<String> targets) implements Command {}

  private record Pair(int partition, String peer) {}

  private final ActorContext<Command> context;
  private final String nodeId;
  private final Ring ring;
  private final Peers peers;
  private final Reachability reachability;
  private final Settings settings;
  private final LongSupplier wallMillis;
  private final ActorRef<AntiEntropyExchange.Result> results;
  private final NodeMetrics metrics;
  private final Deque<Pair> round = new ArrayDeque<>();
  /** Peers an exchange failed with in the current round: their remaining pairs are skipped. */
  private final Set<String> failedThisRound = new HashSet<>();
  private boolean repairedThisRound;
  private final Map<Pair, Boolean> inSync = new TreeMap<>(
      java.util.Comparator.comparingInt(Pair::partition).thenComparing(Pair::peer));
  private final Map<String, Long> lastExchange = new TreeMap<>();
  private int running;
  private long rounds;
  private long exchanges;
  private long hashesCompared;
  private long pushed;
  private long pulled;
  private long errors;
  private String lastError;
  private long purgePass;
  private boolean purging;
  private final Map<String, Long> floors = new HashMap<>();
  private int purgeRepliesAwaited;
  private long tombstonesPurged;
  private long purgePasses;
  private String lastPurgeBlockedBy;
  private final Map<Integer, Integer> pendingByPartition = new HashMap<>();
  /** The answers to the last ask: the nodes each hint store that answered holds hints for. */
  private final Map<String, Set<String>> hintTargets = new HashMap<>();
  /** Nodes hints are pending for, and since when (wall millis) this node has seen them pending. */
  private final Map<String, Long> handoffSince = new TreeMap<>();
  private long targetsAsk;
  private int targetsAwaited;
  private final Set<String> waitLogged = new HashSet<>();
  private final AtomicLong pendingGauge;

  private AntiEntropy(
      ActorContext<Command> context,
      String nodeId,
      Ring ring,
      Peers peers,
      Reachability reachability,
      Settings settings,
      LongSupplier wallMillis) {
    this.context = context;
    this.nodeId = nodeId;
    this.ring = ring;
    this.peers = peers;
    this.reachability = reachability;
    this.settings = settings;
    this.wallMillis = wallMillis;
    this.results = context.messageAdapter(AntiEntropyExchange.Result.class, Finished::new);
    this.metrics = NodeMetrics.get(context.getSystem());
    this.pendingGauge = metrics.gaugeValue(
        "minidynamo_ae_tombstones_pending", "tombstones held, waiting to be purged");
  }

  public static Behavior<Command> create(
      String nodeId,
      Ring ring,
      Peers peers,
      Reachability reachability,
      Settings settings,
      LongSupplier wallMillis) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      if (settings.enabled()) {
        timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
      } else {
        context.getLog().warn("anti-entropy is switched off: cold keys converge only when read");
      }
      return new AntiEntropy(context, nodeId, ring, peers, reachability, settings, wallMillis)
          .idle();
    }));
  }

  private Behavior<Command> idle() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Finished.class, this::onFinished)
        .onMessage(FloorAnswered.class, this::onFloorAnswered)
        .onMessage(PurgeAnswered.class, this::onPurgeAnswered)
        .onMessage(TargetsAnswered.class, this::onTargetsAnswered)
        .onMessage(GetStats.class, this::onGetStats)
        .build();
  }

  private Behavior<Command> onTick() {
    startPurgePass();
    if (!round.isEmpty() || running > 0 || targetsAwaited > 0) {
      return Behaviors.same();
    }
    if (settings.handoffDeferral().isZero()) {
      startRound();
    } else {
      askHintTargets();
    }
    return Behaviors.same();
  }

  /** Asks every reachable hint store for its targets; the round starts once all have answered. */
  private void askHintTargets() {
    long ask = ++targetsAsk;
    for (String node : ring.nodes()) {
      if (!node.equals(nodeId) && reachability.isUnreachable(node)) {
        hintTargets.remove(node); // its hints are unknown, and not being delivered meanwhile
        continue;
      }
      targetsAwaited++;
      context.ask(HintProtocol.HintTargets.class, peers.hints(node), TARGETS_TIMEOUT,
          HintProtocol.GetHintTargets::new,
          (answer, failure) -> new TargetsAnswered(ask, node, answer != null ? answer.targets() : null));
    }
  }

  private Behavior<Command> onTargetsAnswered(TargetsAnswered answer) {
    if (answer.ask() != targetsAsk || targetsAwaited == 0) {
      return Behaviors.same();
    }
    if (answer.targets() == null) {
      hintTargets.remove(answer.holder());
    } else {
      hintTargets.put(answer.holder(), answer.targets());
    }
    if (--targetsAwaited == 0) {
      updateHandoffs();
      startRound();
    }
    return Behaviors.same();
  }

  private void updateHandoffs() {
    Set<String> pending = new HashSet<>();
    hintTargets.values().forEach(pending::addAll);
    handoffSince.keySet().retainAll(pending);
    waitLogged.retainAll(pending);
    long now = wallMillis.getAsLong();
    for (String node : pending) {
      if (!hintTargets.containsKey(node)) { // its hint store did not answer: it is not up
        handoffSince.put(node, now); // the wait counts only while it can take its hints
      } else {
        handoffSince.putIfAbsent(node, now);
        if (waitLogged.add(node)) {
          context.getLog().info("anti-entropy with {} waits for the hints pending for it (at most {} s)",
              node, settings.handoffDeferral().toSeconds());
        }
      }
    }
  }

  /** Whether exchanges with {@code node} wait for its hints to be delivered. */
  private boolean handoffPending(String node) {
    Long since = handoffSince.get(node);
    return since != null && wallMillis.getAsLong() - since < settings.handoffDeferral().toMillis();
  }

  private void startRound() {
    rounds++;
    failedThisRound.clear();
    repairedThisRound = false;
    if (handoffPending(nodeId)) {
      return; // every pair of this node waits
    }
    for (int partition : ring.partitionsReplicatedBy(nodeId)) {
      for (String peer : ring.primaries(partition)) {
        if (!peer.equals(nodeId) && !reachability.isUnreachable(peer) && !handoffPending(peer)) {
          round.add(new Pair(partition, peer));
        }
      }
    }
    startMore();
  }

  private void startMore() {
    while (running < settings.maxConcurrent() && !round.isEmpty()) {
      Pair pair = round.poll();
      if (failedThisRound.contains(pair.peer()) || reachability.isUnreachable(pair.peer())) {
        continue;
      }
      running++;
      context.spawnAnonymous(AntiEntropyExchange.create(
          pair.partition(), pair.peer(), peers.replica(nodeId), peers.replica(pair.peer()),
          settings.exchange(), results));
    }
  }

  private Behavior<Command> onFinished(Finished finished) {
    AntiEntropyExchange.Result result = finished.result();
    running--;
    exchanges++;
    hashesCompared += result.hashesCompared();
    pushed += result.pushed();
    pulled += result.pulled();
    lastExchange.put(result.peer(), wallMillis.getAsLong());
    recordMetrics(result);
    if (result.error() != null) {
      failedThisRound.add(result.peer());
      errors++;
      lastError = "partition " + result.partition() + " with " + result.peer() + ": " + result.error();
      context.getLog().debug("anti-entropy {}", lastError);
    } else {
      inSync.put(new Pair(result.partition(), result.peer()), result.inSync());
      if (result.pushed() + result.pulled() > 0) {
        repairedThisRound = true;
        context.getLog().info("anti-entropy repaired partition {} with {}: {} keys pushed, {} pulled",
            result.partition(), result.peer(), result.pushed(), result.pulled());
      }
    }
    startMore();
    if (round.isEmpty() && running == 0 && repairedThisRound) {
      startRound(); // catching up: no interval between rounds while they still repair
    }
    return Behaviors.same();
  }

  private void startPurgePass() {
    if (purging || !settings.enabled()) {
      return;
    }
    List<String> nodes = ring.nodes();
    for (String node : nodes) {
      if (!node.equals(nodeId) && reachability.isUnreachable(node)) {
        lastPurgeBlockedBy = node + " is unreachable (it may hold hints)";
        return;
      }
    }
    purging = true;
    purgePass++;
    floors.clear();
    long pass = purgePass;
    for (String node : nodes) {
      context.ask(HintProtocol.HintFloor.class, peers.hints(node), settings.exchange().timeout(),
          HintProtocol.GetHintFloor::new,
          (answer, failure) -> answer != null
              ? new FloorAnswered(pass, node, answer.floorTimestamp(), null)
              : new FloorAnswered(pass, node, 0, String.valueOf(failure)));
    }
  }

  private Behavior<Command> onFloorAnswered(FloorAnswered answer) {
    if (answer.pass() != purgePass || !purging || purgeRepliesAwaited > 0) {
      return Behaviors.same();
    }
    if (answer.error() != null) {
      purging = false;
      lastPurgeBlockedBy = "no hint floor from " + answer.node() + ": " + answer.error();
      return Behaviors.same();
    }
    floors.put(answer.node(), answer.floor());
    OptionalLong cutoff =
        PurgeCutoff.cutoff(wallMillis.getAsLong(), settings.tombstoneGrace(), ring.nodes(), floors);
    if (cutoff.isEmpty()) {
      return Behaviors.same(); // more answers to come
    }
    lastPurgeBlockedBy = null;
    List<Integer> partitions = ring.partitionsReplicatedBy(nodeId);
    purgeRepliesAwaited = partitions.size();
    if (purgeRepliesAwaited == 0) {
      purging = false;
    }
    long pass = purgePass;
    for (int partition : partitions) {
      context.ask(ReplicaProtocol.Purged.class, peers.replica(nodeId), settings.exchange().timeout(),
          replyTo -> new ReplicaProtocol.PurgeTombstones(
              partition, cutoff.getAsLong(), settings.purgeBatch(), replyTo),
          (purged, failure) -> new PurgeAnswered(pass, purged != null
              ? purged
              : new ReplicaProtocol.Purged(partition, 0, 0, String.valueOf(failure))));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onPurgeAnswered(PurgeAnswered answer) {
    if (answer.pass() != purgePass || purgeRepliesAwaited == 0) {
      return Behaviors.same();
    }
    ReplicaProtocol.Purged purged = answer.purged();
    if (purged.error() == null) {
      tombstonesPurged += purged.purged();
      pendingByPartition.put(purged.partition(), purged.pending());
      metrics.counter("minidynamo_ae_tombstones_purged", "tombstones purged").increment(purged.purged());
    } else {
      lastPurgeBlockedBy = "partition " + purged.partition() + ": " + purged.error();
    }
    if (--purgeRepliesAwaited == 0) {
      purging = false;
      purgePasses++;
      pendingGauge.set(pendingTombstones());
    }
    return Behaviors.same();
  }

  private long pendingTombstones() {
    return pendingByPartition.values().stream().mapToLong(Integer::longValue).sum();
  }

  private void recordMetrics(AntiEntropyExchange.Result result) {
    String outcome = result.error() != null ? "error" : result.inSync() ? "in_sync" : "repaired";
    metrics.counter("minidynamo_ae_exchanges", "anti-entropy exchanges by outcome", "result", outcome)
        .increment();
    metrics.counter("minidynamo_ae_keys_repaired", "keys repaired by anti-entropy", "direction", "out")
        .increment(result.pushed());
    metrics.counter("minidynamo_ae_keys_repaired", "keys repaired by anti-entropy", "direction", "in")
        .increment(result.pulled());
  }

  private Behavior<Command> onGetStats(GetStats get) {
    int synced = (int) inSync.values().stream().filter(Boolean::booleanValue).count();
    get.replyTo().tell(new Stats(settings.enabled(), rounds, exchanges, synced,
        inSync.size() - synced, hashesCompared, pushed, pulled, errors, lastError,
        Map.copyOf(lastExchange), tombstonesPurged, pendingTombstones(), purgePasses,
        lastPurgeBlockedBy, handoffSince.keySet().stream().filter(this::handoffPending).toList()));
    return Behaviors.same();
  }
}
