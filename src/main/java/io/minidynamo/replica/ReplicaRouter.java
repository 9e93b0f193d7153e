package io.minidynamo.replica;

import io.minidynamo.replica.ReplicaProtocol.PartitionCommand;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.storage.RecoveryStats;
import io.minidynamo.versioning.HybridClock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The node's replica entry point at the fixed path {@code /user/replica}: owns one
 * {@link PartitionReplica} per ring partition this node replicates and routes each request to it.
 * A request for a partition this node does not hold is answered with an error at once, so the
 * coordinator counts it as missing instead of waiting for its deadline. A read of a recovered
 * partition is answered here, from its durable records ({@link CommittedReads}), without a message
 * to the partition and without waiting for the journal write it may have in flight.
 */
public final class ReplicaRouter extends AbstractBehavior<ReplicaProtocol.Command> {
  /** The name under the user guardian; peers resolve {@code /user/replica} on every node. */
  public static final String NAME = "replica";

  private final String nodeId;
  private final HybridClock clock;
  private final CommittedReads committed;
  private final Map<Integer, ActorRef<ReplicaProtocol.Command>> partitions = new HashMap<>();

  private ReplicaRouter(
      ActorContext<ReplicaProtocol.Command> context,
      String nodeId,
      Map<Integer, List<String>> held,
      HybridClock clock,
      WriteBatcher.Limits limits,
      PartitionLog.Snapshots snapshots,
      RecoveryStats recoveryStats,
      CommittedReads committed) {
    super(context);
    this.nodeId = nodeId;
    this.clock = clock;
    this.committed = committed;
    WriteBatcher.Spec<Write> spec = new WriteBatcher.Spec<>(Write.class, Write::fail);
    held.forEach((partition, peers) -> partitions.put(partition, context.spawn(
        WriteBatcher.create(nodeId, spec, limits,
            front -> PartitionLog.create(nodeId, partition, front, snapshots, recoveryStats, peers,
                Objects.requireNonNull(committed.partition(partition), "no committed view of " + partition))),
        "p" + partition)));
  }

  /**
   * @param heldPartitions the partitions this node replicates, each with its other replicas (the
   *     partition's primaries without this node), whose holding of tombstones the partition tracks
   * @param committed the durable records of exactly {@code heldPartitions}, which their logs keep
   *     current and which this node's coordinator reads too
   */
  public static Behavior<ReplicaProtocol.Command> create(
      String nodeId,
      Map<Integer, List<String>> heldPartitions,
      HybridClock clock,
      io.minidynamo.config.NodeSettings settings,
      RecoveryStats recoveryStats,
      CommittedReads committed) {
    WriteBatcher.Limits limits = new WriteBatcher.Limits(
        settings.maxWriteBatch(), settings.maxPendingWrites(), settings.maxRequestTimeout());
    return Behaviors.setup(context -> new ReplicaRouter(
        context, nodeId, heldPartitions, clock, limits,
        new PartitionLog.Snapshots(settings.snapshotEvery(), settings.snapshotBytes()), recoveryStats,
        committed));
  }

  @Override
  public Receive<ReplicaProtocol.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(PartitionCommand.class, this::onPartitionCommand)
        .build();
  }

  private Behavior<ReplicaProtocol.Command> onPartitionCommand(PartitionCommand command) {
    if (command instanceof Write write) {
      clock.observe(write.record().version().timestamp());
    }
    if (command instanceof Read read) {
      CommittedReads.Committed durable = committed.read(read.partition(), read.key());
      if (durable != null) {
        read.answer(nodeId, durable.record());
        return this;
      }
    }
    ActorRef<ReplicaProtocol.Command> partition = partitions.get(command.partition());
    if (partition == null) {
      command.fail(nodeId, notHeld(command.partition()));
    } else {
      partition.tell(command);
    }
    return this;
  }

  /** The partitions {@code nodeId} replicates in {@code ring}, each with its other replicas. */
  public static Map<Integer, List<String>> heldPartitions(io.minidynamo.ring.Ring ring, String nodeId) {
    Map<Integer, List<String>> held = new java.util.TreeMap<>();
    for (int partition : ring.partitionsReplicatedBy(nodeId)) {
      held.put(partition, ring.primaries(partition).stream().filter(id -> !id.equals(nodeId)).toList());
    }
    return held;
  }

  private String notHeld(int partition) {
    return "partition " + partition + " is not replicated by " + nodeId;
  }
}
