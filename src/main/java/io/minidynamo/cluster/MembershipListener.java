package io.minidynamo.cluster;

import io.minidynamo.config.ClusterConfig;
import io.minidynamo.config.NodeInfo;
import io.minidynamo.handoff.HintProtocol;
import io.minidynamo.replica.ReplicaProtocol;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Turns Pekko Cluster membership and reachability events into hints: marks peers unreachable for
 * coordinators (which then skip them instead of waiting), and nudges the hint store to deliver to a
 * peer that became reachable or (re)joined. A peer that left the cluster (a graceful stop: exited or
 * removed) is marked unreachable too — the failure detector never reports a member that left, and
 * without this every request and anti-entropy exchange would wait for its timeout — unless a newer
 * incarnation of it has joined meanwhile. The same holds for unreachability: a peer killed and
 * restarted within the failure detector's pause joins again before the detector reports its old
 * incarnation, and that late report must not mark the new one unreachable. Nor is this node ever
 * unreachable to itself (the report on its own earlier incarnation reaches it too). Logs one line
 * per peer state change.
 */
public final class MembershipListener {
  private MembershipListener() {}

  public static Behavior<ClusterEvent.ClusterDomainEvent> create(
      ClusterConfig cluster, Reachability reachability, ActorRef<ReplicaProtocol.Command> hints) {
    return Behaviors.setup(context -> {
      Cluster typedCluster = Cluster.get(context.getSystem());
      typedCluster.subscriptions().tell(
          Subscribe.create(context.getSelf(), ClusterEvent.ClusterDomainEvent.class));
      Address self = typedCluster.selfMember().address();
      Map<String, String> idsByAddress = new HashMap<>();
      Map<String, Long> incarnations = new HashMap<>();
      for (NodeInfo node : cluster.nodes()) {
        idsByAddress.put(node.remote().host() + ":" + node.remote().port(), node.id());
      }
      return Behaviors.receive(ClusterEvent.ClusterDomainEvent.class)
          .onMessage(ClusterEvent.UnreachableMember.class, event -> {
            currentPeer(idsByAddress, incarnations, self, event.member()).ifPresent(id -> {
              reachability.markUnreachable(id);
              context.getLog().info("peer {} unreachable", id);
            });
            return Behaviors.same();
          })
          .onMessage(ClusterEvent.ReachableMember.class, event ->
              reachable(context, idsByAddress, incarnations, reachability, hints, event.member()))
          .onMessage(ClusterEvent.MemberUp.class, event ->
              reachable(context, idsByAddress, incarnations, reachability, hints, event.member()))
          .onMessage(ClusterEvent.MemberJoined.class, event ->
              reachable(context, idsByAddress, incarnations, reachability, hints, event.member()))
          .onMessage(ClusterEvent.MemberExited.class, event ->
              left(context, idsByAddress, incarnations, reachability, self, event.member()))
          .onMessage(ClusterEvent.MemberRemoved.class, event ->
              left(context, idsByAddress, incarnations, reachability, self, event.member()))
          .onAnyMessage(event -> Behaviors.same())
          .build();
    });
  }

  private static Behavior<ClusterEvent.ClusterDomainEvent> left(
      ActorContext<ClusterEvent.ClusterDomainEvent> context,
      Map<String, String> idsByAddress,
      Map<String, Long> incarnations,
      Reachability reachability,
      Address self,
      Member member) {
    currentPeer(idsByAddress, incarnations, self, member).ifPresent(id -> {
      if (!reachability.isUnreachable(id)) {
        reachability.markUnreachable(id);
        context.getLog().info("peer {} left the cluster", id);
      }
    });
    return Behaviors.same();
  }

  private static Behavior<ClusterEvent.ClusterDomainEvent> reachable(
      ActorContext<ClusterEvent.ClusterDomainEvent> context,
      Map<String, String> idsByAddress,
      Map<String, Long> incarnations,
      Reachability reachability,
      ActorRef<ReplicaProtocol.Command> hints,
      Member member) {
    nodeId(idsByAddress, member.address()).ifPresent(id -> {
      incarnations.put(id, member.uniqueAddress().longUid());
      if (reachability.markReachable(id)) {
        context.getLog().info("peer {} reachable again", id);
      }
      hints.tell(new HintProtocol.Nudge(id));
    });
    return Behaviors.same();
  }

  /**
   * The id of the peer that a report of trouble (unreachable, exited, removed) is about, or empty
   * when it is not about a peer's current incarnation: a report on this node itself or on an
   * earlier incarnation of it, or on the incarnation that a restarted peer replaced (a late report
   * of the failure detector, or the old one leaving after the new one joined).
   */
  private static Optional<String> currentPeer(
      Map<String, String> idsByAddress, Map<String, Long> incarnations, Address self, Member member) {
    if (member.address().equals(self)) {
      return Optional.empty();
    }
    return nodeId(idsByAddress, member.address()).filter(id -> {
      Long current = incarnations.get(id);
      return current == null || current == member.uniqueAddress().longUid();
    });
  }

  private static Optional<String> nodeId(Map<String, String> idsByAddress, Address address) {
    if (address.host().isEmpty() || address.port().isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        idsByAddress.get(address.host().get() + ":" + address.port().get()));
  }
}
