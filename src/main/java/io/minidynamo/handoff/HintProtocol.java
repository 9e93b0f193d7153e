package io.minidynamo.handoff;

import io.minidynamo.CborSerializable;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.versioning.Record;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/** The messages of a node's hint store at the fixed path {@code /user/hints}. */
public final class HintProtocol {
  private HintProtocol() {}

  /**
   * Keep {@code record} for {@code intendedFor} (a primary that missed it) and deliver it when that
   * node answers again; answered once the hint is durable.
   */
  public record HintedWrite(int partition, Record record, String intendedFor, ActorRef<WriteAck> replyTo)
      implements ReplicaProtocol.Command, CborSerializable {
    /** Answers the sender that {@code node} did not keep the hint. */
    public void fail(String node, String error) {
      replyTo.tell(new WriteAck(node, record.key(), error));
    }
  }

  /**
   * A read standing in for a failed primary: answered with the newest record this node holds as a
   * hint for the key (any target), or none.
   */
  public record ReadHinted(int partition, String key, long request, ActorRef<ReadReply> replyTo)
      implements ReplicaProtocol.Command, CborSerializable {}

  /** A peer may be back (a cluster reachability event): try delivering to it now. */
  public record Nudge(String target) implements ReplicaProtocol.Command {}

  public record GetStats(ActorRef<Stats> replyTo) implements ReplicaProtocol.Command {}

  /**
   * From anti-entropy on any node, before it purges tombstones: this store's hint floor. Answering
   * is a promise (see {@link HintFloor}).
   */
  public record GetHintFloor(ActorRef<HintFloor> replyTo)
      implements ReplicaProtocol.Command, CborSerializable {}

  /**
   * {@code floorTimestamp} (a version timestamp): no hint whose record is older than it is pending
   * on {@code node}, and none will ever be stored there (such a hinted write is refused). A tombstone
   * older than every node's floor can have no older write of its key waiting in any hint store.
   * Never decreases on a node, restarts included (it is derived from the wall clock and the pending
   * hints, which are durable).
   */
  public record HintFloor(String node, long floorTimestamp) implements CborSerializable {}

  /** From anti-entropy on any node, before a round: which nodes this store holds hints for. */
  public record GetHintTargets(ActorRef<HintTargets> replyTo)
      implements ReplicaProtocol.Command, CborSerializable {}

  /** The nodes {@code node}'s hint store holds at least one pending hint for. */
  public record HintTargets(String node, Set<String> targets) implements CborSerializable {
    public HintTargets {
      targets = Set.copyOf(targets);
    }
  }

  /**
   * What {@code /debug/hints} shows: pending hints in all ({@code count}) and per target, delivered
   * since start, failed delivery attempts, the age of the oldest pending hint.
   */
  public record Stats(
      int count,
      Map<String, Integer> targets,
      long delivered,
      long failedAttempts,
      long oldestAgeMillis,
      List<String> delivering) {}
}
