package io.minidynamo.antientropy;

import io.minidynamo.cluster.Peers;
import io.minidynamo.cluster.Reachability;
import io.minidynamo.metrics.NodeMetrics;
import io.minidynamo.ring.Ring;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The anti-entropy manager of a node: every {@code interval} it starts a round — one
 * {@link AntiEntropyExchange} per (partition this node replicates, other replica of it) — unless the
 * previous round is still running, with at most {@code maxConcurrent} exchanges at a time. Peers the
 * failure detector marks unreachable are skipped for the round. Keeps the counters
 * {@code /debug/ae} shows.
 */
public final class AntiEntropy {
  public static final String NAME = "antientropy";

  /** Tuning. */
  public record Settings(
      boolean enabled, Duration interval, int maxConcurrent, AntiEntropyExchange.Settings exchange) {}

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
      Map<String, Long> lastExchangeMillisByPeer) {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Finished(AntiEntropyExchange.Result result) implements Command {}

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
        .onMessage(GetStats.class, this::onGetStats)
        .build();
  }

  private Behavior<Command> onTick() {
    if (!round.isEmpty() || running > 0) {
      return Behaviors.same();
    }
    rounds++;
    for (int partition : ring.partitionsReplicatedBy(nodeId)) {
      for (String peer : ring.primaries(partition)) {
        if (!peer.equals(nodeId) && !reachability.isUnreachable(peer)) {
          round.add(new Pair(partition, peer));
        }
      }
    }
    startMore();
    return Behaviors.same();
  }

  private void startMore() {
    while (running < settings.maxConcurrent() && !round.isEmpty()) {
      Pair pair = round.poll();
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
      errors++;
      lastError = "partition " + result.partition() + " with " + result.peer() + ": " + result.error();
      context.getLog().debug("anti-entropy {}", lastError);
    } else {
      inSync.put(new Pair(result.partition(), result.peer()), result.inSync());
      if (result.pushed() + result.pulled() > 0) {
        context.getLog().info("anti-entropy repaired partition {} with {}: {} keys pushed, {} pulled",
            result.partition(), result.peer(), result.pushed(), result.pulled());
      }
    }
    startMore();
    return Behaviors.same();
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
        Map.copyOf(lastExchange)));
    return Behaviors.same();
  }
}
