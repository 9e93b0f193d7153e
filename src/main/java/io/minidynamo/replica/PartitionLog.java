package io.minidynamo.replica;

import io.minidynamo.antientropy.LeafReconciliation;
import io.minidynamo.antientropy.MerkleTree;
import io.minidynamo.antientropy.TombstoneTracker;
import io.minidynamo.replica.ReplicaProtocol.GetLeafEntries;
import io.minidynamo.replica.ReplicaProtocol.GetRecords;
import io.minidynamo.replica.ReplicaProtocol.GetTree;
import io.minidynamo.replica.ReplicaProtocol.GetTreeHashes;
import io.minidynamo.replica.ReplicaProtocol.LeafEntries;
import io.minidynamo.replica.ReplicaProtocol.PurgeTombstones;
import io.minidynamo.replica.ReplicaProtocol.Purged;
import io.minidynamo.replica.ReplicaProtocol.TombstonesHeld;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.Records;
import io.minidynamo.replica.ReplicaProtocol.TreeCopy;
import io.minidynamo.replica.ReplicaProtocol.TreeHashes;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.replica.WriteBatcher.Append;
import io.minidynamo.replica.WriteBatcher.BatchDone;
import io.minidynamo.replica.WriteBatcher.LogReady;
import io.minidynamo.storage.PartitionSnapshot;
import io.minidynamo.storage.PartitionState;
import io.minidynamo.storage.RecoveryStats;
import io.minidynamo.versioning.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.SnapshotFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The event-sourced half of a replica partition: its journal is the partition's write-ahead log and
 * its state the partition's records. It takes writes only in batches from its parent
 * {@link WriteBatcher}, which holds back the next batch until this one is durable, so one journal
 * write (one fsync) covers every write that arrived meanwhile.
 *
 * <p>Invariants: a write is acknowledged only after the event carrying it (or a newer version of the
 * key) is persisted; a record that does not supersede the stored one is acknowledged without being
 * persisted; the parent hears {@link BatchDone} after every batch and {@link LogReady} after every
 * recovery, so it never waits on a batch lost to a journal failure.
 *
 * <p>Tombstone purge: beside the state, a {@link TombstoneTracker} (in memory, rebuilt at recovery
 * with no holders known) learns from anti-entropy exchanges which peers hold which tombstones; a
 * {@link PurgeTombstones} removes those every peer holds below the cutoff the anti-entropy manager
 * computed. A purge is not an event (no journal format change): after a restart the tombstone may
 * come back from the journal or the last snapshot, which is harmless — it is the same tombstone, and
 * it is purged again once relearned. Snapshots taken after the purge no longer contain it.
 */
final class PartitionLog extends EventSourcedBehavior<ReplicaProtocol.Command, Record, PartitionState> {

  private final String nodeId;
  private final ActorRef<ReplicaProtocol.Command> parent;
  /** When a partition is snapshotted: every {@code every} events or {@code bytes} written. */
  record Snapshots(int every, long bytes) {}

  private final Snapshots snapshots;
  /** Key and value bytes of the events persisted since the last snapshot. */
  private long bytesSinceSnapshot;
  private final int partition;
  private final ActorContext<ReplicaProtocol.Command> context;
  private final RecoveryStats recoveryStats;
  /** Events applied before the first RecoveryCompleted: replayed from the journal. */
  private long replayed;
  private boolean recovered;
  private final TombstoneTracker tombstones;
  /** Where other threads read this partition's durable records. */
  private final CommittedReads.Partition committed;

  private PartitionLog(
      ActorContext<ReplicaProtocol.Command> context,
      String nodeId,
      int partition,
      ActorRef<ReplicaProtocol.Command> parent,
      Snapshots snapshots,
      RecoveryStats recoveryStats,
      List<String> peers,
      CommittedReads.Partition committed) {
    super(
        PersistenceId.ofUniqueId("replica-" + partition),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.2));
    this.nodeId = nodeId;
    this.parent = parent;
    this.snapshots = snapshots;
    this.partition = partition;
    this.context = context;
    this.recoveryStats = recoveryStats;
    this.committed = committed;
    MerkleTree shape = new MerkleTree(PartitionState.TREE_DEPTH);
    this.tombstones = new TombstoneTracker(peers, shape.leafCount(), shape::leafOf);
  }

  /**
   * @param peers the other replicas of this partition, whose holding of tombstones is tracked
   * @param committed the view of this partition's durable records that this log keeps current
   */
  static Behavior<ReplicaProtocol.Command> create(
      String nodeId,
      int partition,
      ActorRef<ReplicaProtocol.Command> parent,
      Snapshots snapshots,
      RecoveryStats recoveryStats,
      List<String> peers,
      CommittedReads.Partition committed) {
    return Behaviors.setup(context -> new PartitionLog(
        context, nodeId, partition, parent, snapshots, recoveryStats, peers, committed));
  }

  /**
   * The one object Pekko starts every recovery from: it calls {@link #emptyState()} once per actor,
   * and reuses the answer when a journal failure restarts the log. So it is never written to: the
   * first event applied to it starts a new state (see {@link #eventHandler()}). Otherwise a restart
   * would replay the journal onto the live state, which still holds the batch that failed.
   */
  private final PartitionState pristine = new PartitionState();

  @Override
  public PartitionState emptyState() {
    return pristine;
  }

  @Override
  public CommandHandler<ReplicaProtocol.Command, Record, PartitionState> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Append.class, this::onAppend)
        .onCommand(Read.class, this::onRead)
        .onCommand(GetTreeHashes.class, this::onGetTreeHashes)
        .onCommand(GetLeafEntries.class, this::onGetLeafEntries)
        .onCommand(GetRecords.class, this::onGetRecords)
        .onCommand(GetTree.class, this::onGetTree)
        .onCommand(TombstonesHeld.class, this::onTombstonesHeld)
        .onCommand(PurgeTombstones.class, this::onPurgeTombstones)
        .build();
  }

  private Effect<Record, PartitionState> onAppend(PartitionState state, Append<?> append) {
    List<Record> events = supersedingRecords(state, writes(append));
    if (events.isEmpty()) {
      acknowledge(append);
      return Effect().none();
    }
    committed.persisting(state, events); // before the events reach the state
    return Effect().persist(events).thenRun(newState -> {
      committed.persisted(newState, events); // before any acknowledgement
      acknowledge(append);
    });
  }

  /** The writes of a batch: the replica's front batches {@link Write}s only. */
  private static List<Write> writes(Append<?> append) {
    return append.writes().stream().map(Write.class::cast).toList();
  }

  /** The newest record per key of the batch, where it supersedes the stored one. */
  private static List<Record> supersedingRecords(PartitionState state, List<Write> writes) {
    Map<String, Record> newest = new LinkedHashMap<>();
    for (Write write : writes) {
      newest.merge(write.record().key(), write.record(), Record::newer);
    }
    List<Record> events = new ArrayList<>(newest.size());
    for (Record record : newest.values()) {
      if (record.supersedes(state.get(record.key()))) {
        events.add(record);
      }
    }
    return events;
  }

  private void acknowledge(Append<?> append) {
    for (Write write : writes(append)) {
      write.answer(nodeId, null);
    }
    parent.tell(new BatchDone(append.batch()));
  }

  /** A read that came before recovery completed; later ones are answered by the router. */
  private Effect<Record, PartitionState> onRead(PartitionState state, Read read) {
    read.answer(nodeId, state.get(read.key()));
    return Effect().none();
  }

  private Effect<Record, PartitionState> onGetTreeHashes(PartitionState state, GetTreeHashes get) {
    MerkleTree tree = state.tree();
    if (get.depth() != tree.depth() || get.level() < 0 || get.level() > tree.depth()) {
      get.fail(nodeId, "tree depth " + tree.depth() + " cannot answer depth " + get.depth()
          + " level " + get.level());
      return Effect().none();
    }
    List<Long> hashes = new ArrayList<>(get.indexes().size());
    for (int index : get.indexes()) {
      if (index < 0 || index >= 1 << get.level()) {
        get.fail(nodeId, "no tree node " + index + " at level " + get.level());
        return Effect().none();
      }
      hashes.add(tree.hash(get.level(), index));
    }
    get.replyTo().tell(new TreeHashes(nodeId, get.partition(), hashes, null));
    return Effect().none();
  }

  private Effect<Record, PartitionState> onGetLeafEntries(PartitionState state, GetLeafEntries get) {
    List<LeafReconciliation.Entry> entries = state.entriesInLeaves(Set.copyOf(get.leaves())).stream()
        .map(entry -> entry.tombstone()
            ? entry.withSettled(tombstones.heldByAll(entry.key(), entry.version()))
            : entry)
        .toList();
    get.replyTo().tell(new LeafEntries(nodeId, get.partition(), entries, null));
    return Effect().none();
  }

  private Effect<Record, PartitionState> onGetRecords(PartitionState state, GetRecords get) {
    List<Record> records = get.keys().stream().map(state::get).filter(Objects::nonNull).toList();
    get.replyTo().tell(new Records(nodeId, get.partition(), records, null));
    return Effect().none();
  }

  private Effect<Record, PartitionState> onGetTree(PartitionState state, GetTree get) {
    get.replyTo().tell(new TreeCopy(state.tree().copy(), tombstones.stamp()));
    return Effect().none();
  }

  private Effect<Record, PartitionState> onTombstonesHeld(PartitionState state, TombstonesHeld held) {
    tombstones.peerSynced(held.peer(), held.treeStamp(), held.differingLeaves());
    for (LeafReconciliation.Entry entry : held.commonTombstones()) {
      tombstones.peerHolds(held.peer(), entry.key(), entry.version());
    }
    return Effect().none();
  }

  private Effect<Record, PartitionState> onPurgeTombstones(PartitionState state, PurgeTombstones purge) {
    int purged = 0;
    for (TombstoneTracker.Tombstone tombstone
        : tombstones.purgeable(purge.cutoffTimestamp(), purge.maxExamined())) {
      if (state.purge(tombstone.key(), tombstone.version())) {
        purged++;
      }
      tombstones.purged(tombstone.key());
    }
    purge.replyTo().tell(new Purged(partition, purged, tombstones.size(), null));
    return Effect().none();
  }

  @Override
  public EventHandler<PartitionState, Record> eventHandler() {
    return (state, record) -> {
      PartitionState target = state == pristine ? new PartitionState() : state;
      if (!recovered) {
        replayed++;
      }
      if (target.apply(record) && recovered) {
        tombstones.applied(record);
      }
      return target;
    };
  }

  @Override
  public SignalHandler<PartitionState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          // also after a journal failure restarted the log: tombstones a snapshot brought back
          state.forEachRecord(tombstones::track);
          if (!recovered) {
            recovered = true;
            if (recoveryStats.partitionRecovered(partition, state.size(), replayed)) {
              RecoveryStats.Snapshot done = recoveryStats.snapshot();
              context.getLog().info("recovered {} partitions: {} records, {} journal events replayed, in {} ms",
                  done.partitions(), done.records(), done.eventsReplayed(), done.recoveryMillis());
            }
          }
          committed.recovered(state);
          parent.tell(new LogReady(state.size()));
        })
        .onSignal(SnapshotCompleted.class, (state, completed) -> context.getLog().info(
            "snapshot of partition {} at event {}: {} records", partition, completed.metadata().sequenceNr(),
            state.size()))
        .onSignal(SnapshotFailed.class, (state, failed) -> context.getLog().warn(
            "snapshot of partition {} failed: {}", partition, failed.getFailure().toString()))
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshots.every(), 2).withDeleteEventsOnSnapshot();
  }

  /** The byte trigger, beside the event count of {@link #retentionCriteria()}. */
  @Override
  public boolean shouldSnapshot(PartitionState state, Record event, long sequenceNr) {
    bytesSinceSnapshot += event.key().length() + event.value().length;
    if (bytesSinceSnapshot < snapshots.bytes()) {
      return false;
    }
    bytesSinceSnapshot = 0;
    return true;
  }

  /** Snapshots are taken of a copy: the snapshot store serializes on another thread. */
  @Override
  public SnapshotAdapter<PartitionState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(PartitionState state) {
        return state.toSnapshot();
      }

      @Override
      public PartitionState fromJournal(Object from) {
        return PartitionState.fromSnapshot((PartitionSnapshot) from);
      }
    };
  }
}
