package io.minidynamo.antientropy;

import io.minidynamo.Asks;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.ReplicaProtocol.GetLeafEntries;
import io.minidynamo.replica.ReplicaProtocol.GetRecords;
import io.minidynamo.replica.ReplicaProtocol.GetTree;
import io.minidynamo.replica.ReplicaProtocol.GetTreeHashes;
import io.minidynamo.replica.ReplicaProtocol.LeafEntries;
import io.minidynamo.replica.ReplicaProtocol.Records;
import io.minidynamo.replica.ReplicaProtocol.TombstonesHeld;
import io.minidynamo.replica.ReplicaProtocol.TreeCopy;
import io.minidynamo.replica.ReplicaProtocol.TreeHashes;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.versioning.Record;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One anti-entropy exchange of one partition with one peer, run by this node: compare Merkle roots,
 * descend only into differing subtrees ({@link MerkleDiff}), compare the entries of the differing
 * leaves ({@link LeafReconciliation}), then push the records this node has newer and pull those the
 * peer has newer — both directions, last-write-wins, at most {@code maxKeys} keys. An in-sync
 * partition costs one root comparison. Reports one {@link Result} and stops; any failure or the
 * deadline ends it with an error (the next round tries again).
 *
 * <p>Once the descent is done it also tells the local partition what it learned about the peer's
 * tombstones ({@link TombstonesHeld}: the leaves that were equal, and the tombstones both hold in the
 * differing ones), which is how a replica learns that every replica holds a tombstone
 * ({@link TombstoneTracker}).
 */
public final class AntiEntropyExchange {

  /** What one exchange did. */
  public record Result(
      int partition,
      String peer,
      boolean inSync,
      int hashesCompared,
      int pushed,
      int pulled,
      String error) {}

  /** Exchange tuning. */
  public record Settings(int levelsPerStep, int maxKeys, Duration timeout) {}

  sealed interface Command {}

  private record LocalTree(TreeCopy copy) implements Command {}

  private record RemoteHashes(MerkleDiff.Request request, TreeHashes hashes) implements Command {}

  private record Entries(boolean local, LeafEntries entries) implements Command {}

  private record RecordsFetched(boolean local, Records records) implements Command {}

  private record Acked(WriteAck ack) implements Command {}

  private record Failed(String error) implements Command {}

  private enum Deadline implements Command {
    INSTANCE
  }

  private final ActorContext<Command> context;
  private final int partition;
  private final String peer;
  private final ActorRef<ReplicaProtocol.Command> local;
  private final ActorRef<ReplicaProtocol.Command> remote;
  private final Settings settings;
  private final ActorRef<Result> reportTo;
  private MerkleDiff diff;
  private long treeStamp;
  /** Set once the descent is done. */
  private List<Integer> differingLeaves;
  private List<LeafReconciliation.Entry> commonTombstones = List.of();
  private int depth;
  private LeafEntries localEntries;
  private LeafEntries remoteEntries;
  private int hashesCompared;
  private int pushed;
  private int pulled;
  private int awaitingAcks;
  private int awaitingFetches;

  private AntiEntropyExchange(
      ActorContext<Command> context,
      int partition,
      String peer,
      ActorRef<ReplicaProtocol.Command> local,
      ActorRef<ReplicaProtocol.Command> remote,
      Settings settings,
      ActorRef<Result> reportTo) {
    this.context = context;
    this.partition = partition;
    this.peer = peer;
    this.local = local;
    this.remote = remote;
    this.settings = settings;
    this.reportTo = reportTo;
  }

  public static Behavior<Command> create(
      int partition,
      String peer,
      ActorRef<ReplicaProtocol.Command> local,
      ActorRef<ReplicaProtocol.Command> remote,
      Settings settings,
      ActorRef<Result> reportTo) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Deadline.INSTANCE, settings.timeout());
      AntiEntropyExchange exchange =
          new AntiEntropyExchange(context, partition, peer, local, remote, settings, reportTo);
      Asks.ask(context, TreeCopy.class, local, settings.timeout(),
          replyTo -> new GetTree(partition, replyTo),
          (copy, failure) -> copy != null ? new LocalTree(copy) : new Failed("local tree: " + failure));
      return exchange.running();
    }));
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(LocalTree.class, this::onLocalTree)
        .onMessage(RemoteHashes.class, this::onRemoteHashes)
        .onMessage(Entries.class, this::onEntries)
        .onMessage(RecordsFetched.class, this::onRecordsFetched)
        .onMessage(Acked.class, this::onAcked)
        .onMessage(Failed.class, failed -> finish(failed.error()))
        .onMessageEquals(Deadline.INSTANCE, () -> finish("timed out"))
        .build();
  }

  private Behavior<Command> onLocalTree(LocalTree received) {
    MerkleTree tree = received.copy().tree();
    if (tree == null) {
      return finish("partition " + partition + " is not held here");
    }
    depth = tree.depth();
    treeStamp = received.copy().stamp();
    diff = new MerkleDiff(tree, settings.levelsPerStep());
    askRemoteHashes(diff.start());
    return Behaviors.same();
  }

  private void askRemoteHashes(MerkleDiff.Request request) {
    List<Integer> indexes = Arrays.stream(request.indexes()).boxed().toList();
    Asks.ask(context, TreeHashes.class, remote, settings.timeout(),
        replyTo -> new GetTreeHashes(partition, depth, request.level(), indexes, replyTo),
        (hashes, failure) -> hashes != null
            ? new RemoteHashes(request, hashes)
            : new Failed("hashes from " + peer + ": " + failure));
  }

  private Behavior<Command> onRemoteHashes(RemoteHashes received) {
    TreeHashes hashes = received.hashes();
    if (hashes.error() != null) {
      return finish(peer + ": " + hashes.error());
    }
    long[] remoteHashes = hashes.hashes().stream().mapToLong(Long::longValue).toArray();
    Optional<MerkleDiff.Request> next = diff.onHashes(received.request(), remoteHashes);
    if (next.isPresent()) {
      askRemoteHashes(next.get());
      return Behaviors.same();
    }
    hashesCompared = diff.hashesCompared();
    List<Integer> leaves = diff.differingLeaves();
    differingLeaves = leaves;
    if (leaves.isEmpty()) {
      return finish(null);
    }
    askEntries(true, local, leaves);
    askEntries(false, remote, leaves);
    return Behaviors.same();
  }

  private void askEntries(boolean isLocal, ActorRef<ReplicaProtocol.Command> target, List<Integer> leaves) {
    Asks.ask(context, LeafEntries.class, target, settings.timeout(),
        replyTo -> new GetLeafEntries(partition, leaves, replyTo),
        (entries, failure) -> entries != null
            ? new Entries(isLocal, entries)
            : new Failed("leaf entries: " + failure));
  }

  private Behavior<Command> onEntries(Entries received) {
    if (received.entries().error() != null) {
      return finish(received.entries().node() + ": " + received.entries().error());
    }
    if (received.local()) {
      localEntries = received.entries();
    } else {
      remoteEntries = received.entries();
    }
    if (localEntries == null || remoteEntries == null) {
      return Behaviors.same();
    }
    commonTombstones =
        LeafReconciliation.commonTombstones(localEntries.entries(), remoteEntries.entries());
    LeafReconciliation.Plan plan = LeafReconciliation.plan(
        localEntries.entries(), remoteEntries.entries(), settings.maxKeys());
    if (plan.isEmpty()) {
      return finish(null); // the leaves differed only while a write was landing
    }
    fetch(true, local, plan.push());
    fetch(false, remote, plan.pull());
    return Behaviors.same();
  }

  private void fetch(boolean fromLocal, ActorRef<ReplicaProtocol.Command> source, List<String> keys) {
    if (keys.isEmpty()) {
      return;
    }
    awaitingFetches++;
    Asks.ask(context, Records.class, source, settings.timeout(),
        replyTo -> new GetRecords(partition, keys, replyTo),
        (records, failure) -> records != null
            ? new RecordsFetched(fromLocal, records)
            : new Failed("records: " + failure));
  }

  /** Records fetched from one side are written to the other; acknowledgements are counted. */
  private Behavior<Command> onRecordsFetched(RecordsFetched received) {
    awaitingFetches--;
    Records records = received.records();
    if (records.error() != null) {
      return finish(records.node() + ": " + records.error());
    }
    ActorRef<ReplicaProtocol.Command> destination = received.local() ? remote : local;
    ActorRef<WriteAck> acks = context.messageAdapter(WriteAck.class, Acked::new);
    for (Record record : records.records()) {
      destination.tell(new Write(partition, record, acks));
      awaitingAcks++;
      if (received.local()) {
        pushed++;
      } else {
        pulled++;
      }
    }
    return awaitingAcks == 0 && awaitingFetches == 0 ? finish(null) : Behaviors.same();
  }

  private Behavior<Command> onAcked(Acked acked) {
    if (!acked.ack().ok()) {
      return finish("repair write on " + acked.ack().node() + ": " + acked.ack().error());
    }
    awaitingAcks--;
    return awaitingAcks == 0 && awaitingFetches == 0 ? finish(null) : Behaviors.same();
  }

  private Behavior<Command> finish(String error) {
    if (differingLeaves != null) {
      local.tell(new TombstonesHeld(partition, peer, treeStamp, differingLeaves, commonTombstones));
    }
    boolean inSync = error == null && pushed == 0 && pulled == 0;
    reportTo.tell(new Result(partition, peer, inSync, hashesCompared, pushed, pulled, error));
    return Behaviors.stopped();
  }
}
