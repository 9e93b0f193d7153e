package io.minidynamo.replica;

import io.minidynamo.CborSerializable;
import io.minidynamo.antientropy.LeafReconciliation;
import io.minidynamo.antientropy.MerkleTree;
import io.minidynamo.versioning.Record;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages a node's replicas accept from coordinators on any node, and their answers. Sent to
 * the node's {@link ReplicaRouter} at the fixed path {@code /user/replica}.
 */
public final class ReplicaProtocol {
  private ReplicaProtocol() {}

  /** Everything a replica actor accepts; the node-internal ones are private to this package. */
  public interface Command {}

  /** A request about one partition; the router answers {@link #fail} when it does not hold it. */
  public interface PartitionCommand extends Command {
    int partition();

    /** Answers the sender that {@code node} cannot serve this request. */
    void fail(String node, String error);
  }

  /**
   * Store {@code record} in {@code partition} (an LWW merge); answered once it is durable.
   * {@code request} is the sender's correlation id, echoed in the {@link WriteAck} (0: none), so one
   * long-lived actor can coordinate many writes.
   */
  public record Write(int partition, Record record, long request, ActorRef<WriteAck> replyTo)
      implements PartitionCommand, CborSerializable {
    /** A write that needs no correlation: its sender tells acks apart by their ref or ignores them. */
    public Write(int partition, Record record, ActorRef<WriteAck> replyTo) {
      this(partition, record, 0, replyTo);
    }

    /** Answers the sender: {@code error} null means the record is durable on {@code node}. */
    public void answer(String node, String error) {
      replyTo.tell(new WriteAck(node, record.key(), request, error));
    }

    @Override
    public void fail(String node, String error) {
      answer(node, error);
    }
  }

  /** Read this node's copy of a key; {@code request} is echoed in the {@link ReadReply}. */
  public record Read(int partition, String key, long request, ActorRef<ReadReply> replyTo)
      implements PartitionCommand, CborSerializable {
    /** A read that needs no correlation: its sender tells replies apart by their ref. */
    public Read(int partition, String key, ActorRef<ReadReply> replyTo) {
      this(partition, key, 0, replyTo);
    }

    /** Answers the sender with this node's copy ({@code record}, null when it has none). */
    public void answer(String node, Record record) {
      replyTo.tell(new ReadReply(node, key, request, record, null));
    }

    @Override
    public void fail(String node, String error) {
      replyTo.tell(new ReadReply(node, key, request, null, error));
    }
  }

  /** Anti-entropy: the partition's Merkle tree hashes at {@code level} for these node indexes. */
  public record GetTreeHashes(
      int partition, int depth, int level, List<Integer> indexes, ActorRef<TreeHashes> replyTo)
      implements PartitionCommand, CborSerializable {
    @Override
    public void fail(String node, String error) {
      replyTo.tell(new TreeHashes(node, partition, List.of(), error));
    }
  }

  public record TreeHashes(String node, int partition, List<Long> hashes, String error)
      implements CborSerializable {}

  /** Anti-entropy: the (key, version, tombstone) entries in these leaves of the tree. */
  public record GetLeafEntries(int partition, List<Integer> leaves, ActorRef<LeafEntries> replyTo)
      implements PartitionCommand, CborSerializable {
    @Override
    public void fail(String node, String error) {
      replyTo.tell(new LeafEntries(node, partition, List.of(), error));
    }
  }

  public record LeafEntries(
      String node, int partition, List<LeafReconciliation.Entry> entries, String error)
      implements CborSerializable {}

  /** Anti-entropy: the stored records (tombstones included) of these keys; missing ones left out. */
  public record GetRecords(int partition, List<String> keys, ActorRef<Records> replyTo)
      implements PartitionCommand, CborSerializable {
    @Override
    public void fail(String node, String error) {
      replyTo.tell(new Records(node, partition, List.of(), error));
    }
  }

  public record Records(String node, int partition, List<Record> records, String error)
      implements CborSerializable {}

  /** Node-local: a copy of the partition's Merkle tree (null when the partition is not held). */
  public record GetTree(int partition, ActorRef<TreeCopy> replyTo) implements PartitionCommand {
    @Override
    public void fail(String node, String error) {
      replyTo.tell(new TreeCopy(null, 0));
    }
  }

  /**
   * A copy of the tree and the {@link io.minidynamo.antientropy.TombstoneTracker#stamp() stamp} of
   * the last record applied before it was taken.
   */
  public record TreeCopy(MerkleTree tree, long stamp) {}

  /**
   * Node-local, from an anti-entropy exchange with {@code peer}: the tree copy taken at
   * {@code treeStamp} differed from the peer's only in {@code differingLeaves}, and inside them the
   * peer holds {@code commonTombstones} at the same versions. Teaches the partition's
   * {@link io.minidynamo.antientropy.TombstoneTracker}; not answered.
   */
  public record TombstonesHeld(
      int partition,
      String peer,
      long treeStamp,
      List<Integer> differingLeaves,
      List<LeafReconciliation.Entry> commonTombstones) implements PartitionCommand {
    public TombstonesHeld {
      differingLeaves = List.copyOf(differingLeaves);
      commonTombstones = List.copyOf(commonTombstones);
    }

    @Override
    public void fail(String node, String error) {
      // nothing to answer: the knowledge is simply not recorded
    }
  }

  /**
   * Node-local: purge the tombstones every replica is known to hold whose version timestamp is below
   * {@code cutoffTimestamp}, examining at most {@code maxExamined}; answered with what is left.
   */
  public record PurgeTombstones(
      int partition, long cutoffTimestamp, int maxExamined, ActorRef<Purged> replyTo)
      implements PartitionCommand {
    @Override
    public void fail(String node, String error) {
      replyTo.tell(new Purged(partition, 0, 0, error));
    }
  }

  /** Tombstones purged by one {@link PurgeTombstones}, and those the partition still holds. */
  public record Purged(int partition, int purged, int pending, String error) {}

  /**
   * The answer to a {@link Write}: {@code error} is null when the record (or a newer version of the
   * key) is durable on {@code node}; {@code request} is the write's.
   */
  public record WriteAck(String node, String key, long request, String error)
      implements CborSerializable {
    /** An answer to a write that carried no correlation id. */
    public WriteAck(String node, String key, String error) {
      this(node, key, 0, error);
    }

    public static WriteAck ok(String node, String key) {
      return new WriteAck(node, key, 0, null);
    }

    public boolean ok() {
      return error == null;
    }
  }

  /** The answer to a {@link Read}: the stored record or null, or an {@code error}. */
  public record ReadReply(String node, String key, long request, Record record, String error)
      implements CborSerializable {
    public boolean ok() {
      return error == null;
    }
  }
}
