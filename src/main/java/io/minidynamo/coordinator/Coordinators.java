package io.minidynamo.coordinator;

import io.minidynamo.cluster.Peers;
import io.minidynamo.cluster.Reachability;
import io.minidynamo.ring.Ring;
import io.minidynamo.versioning.HybridClock;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Where client requests enter the actor world: stamps writes with this node's hybrid clock, finds
 * the key's partition, primaries and fallbacks on the ring, and spawns one short-lived coordinator
 * per request.
 */
public final class Coordinators {

  /** Client requests, already validated by the HTTP layer. */
  public sealed interface Command {}

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

  private final String nodeId;
  private final Ring ring;
  private final Peers peers;
  private final HybridClock clock;
  private final Reachability reachability;
  private final Settings settings;
  private final ActorContext<Command> context;

  /**
   * Coordinator tuning, and the node-wide read repair budget they share.
   *
   * @param hintedHandoff whether a failed primary is handed to a fallback (or kept as a hint here)
   */
  public record Settings(Duration replicaTimeout, boolean hintedHandoff, RepairBudget repairs) {}

  private Coordinators(
      ActorContext<Command> context,
      String nodeId,
      Ring ring,
      Peers peers,
      HybridClock clock,
      Reachability reachability,
      Settings settings) {
    this.context = context;
    this.nodeId = nodeId;
    this.ring = ring;
    this.peers = peers;
    this.clock = clock;
    this.reachability = reachability;
    this.settings = settings;
  }

  public static Behavior<Command> create(
      String nodeId,
      Ring ring,
      Peers peers,
      HybridClock clock,
      Reachability reachability,
      Settings settings) {
    return Behaviors.setup(context ->
        new Coordinators(context, nodeId, ring, peers, clock, reachability, settings).ready());
  }

  /** How long a primary may stay silent before a fallback stands in: capped at half the deadline. */
  private Duration replicaTimeout(Duration requestTimeout) {
    Duration half = requestTimeout.dividedBy(2);
    return settings.replicaTimeout().compareTo(half) <= 0 ? settings.replicaTimeout() : half;
  }

  private Behavior<Command> ready() {
    return Behaviors.receive(Command.class)
        .onMessage(ClientWrite.class, this::onWrite)
        .onMessage(ClientRead.class, this::onRead)
        .build();
  }

  private Behavior<Command> onWrite(ClientWrite write) {
    Version version = new Version(clock.now(), nodeId);
    Record record = write.isDelete()
        ? Record.tombstone(write.key(), version)
        : Record.put(write.key(), write.value(), version);
    int partition = ring.partitionOf(write.key());
    PutCoordinator.Plan plan = new PutCoordinator.Plan(
        record, partition, ring.primaries(partition), ring.fallbacks(partition), write.w(),
        write.timeout(), replicaTimeout(write.timeout()), settings.hintedHandoff());
    context.spawnAnonymous(
        PutCoordinator.create(plan, nodeId, peers, reachability, write.replyTo()));
    return Behaviors.same();
  }

  private Behavior<Command> onRead(ClientRead read) {
    int partition = ring.partitionOf(read.key());
    GetCoordinator.Plan plan = new GetCoordinator.Plan(
        read.key(), partition, ring.primaries(partition), ring.fallbacks(partition), read.r(),
        read.timeout(), replicaTimeout(read.timeout()));
    context.spawnAnonymous(GetCoordinator.create(
        plan, peers, reachability, clock, settings.repairs(), read.replyTo()));
    return Behaviors.same();
  }
}
