package io.minidynamo.cluster;

import io.minidynamo.CborSerializable;
import io.minidynamo.config.ClusterConfig;
import io.minidynamo.config.NodeInfo;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;

/**
 * Joins this node to the Pekko Cluster without ever forming an island: at the fixed path
 * {@code /user/membership} it answers peers' probes with whether it is a member, and until it is a
 * member itself it probes every peer each {@code interval} and acts on {@link JoinDecision}. The
 * data path does not depend on any of this; membership only feeds reachability hints.
 */
public final class MembershipBootstrap {
  public static final String NAME = "membership";
  /** Rounds a join gets to complete (gossip convergence) before it is attempted again. */
  private static final int JOIN_PATIENCE_ROUNDS = 10;

  public sealed interface Command {}

  /** Is the answering node a cluster member? {@code from} is the probing node, alive by this. */
  public record Probe(String from, ActorRef<ProbeReply> replyTo) implements Command, CborSerializable {}

  /** {@code alive}: the nodes the answering node currently knows to be alive. */
  public record ProbeReply(String node, boolean member, Set<String> alive)
      implements Command, CborSerializable {
    public ProbeReply {
      alive = Set.copyOf(alive);
    }
  }

  private enum Round implements Command {
    INSTANCE
  }

  private final ActorContext<Command> context;
  private final String selfId;
  private final ClusterConfig config;
  private final Cluster cluster;
  private final Map<String, ActorRef<Command>> peers = new HashMap<>();
  private final Map<String, Address> addresses = new HashMap<>();
  private Map<String, Boolean> answers = new HashMap<>();
  /** Nodes that probed us or that answering peers report alive, this round and the last. */
  private Set<String> heardOf = new HashSet<>();
  private Set<String> heardOfBefore = Set.of();
  private Set<String> aliveBefore = Set.of();
  /** A new cluster is formed only on the same verdict in two consecutive rounds. */
  private boolean formVerdictBefore;
  private String lastWaitReason = "";
  /** Rounds left before a join that has not made this node a member is sent again. */
  private int joinPendingRounds;
  private boolean joinSent;

  private MembershipBootstrap(
      ActorContext<Command> context,
      String selfId,
      ClusterConfig config) {
    this.context = context;
    this.selfId = selfId;
    this.config = config;
    this.cluster = Cluster.get(context.getSystem());
    ActorRefResolver resolver = ActorRefResolver.get(context.getSystem());
    for (NodeInfo node : config.nodes()) {
      addresses.put(node.id(),
          AddressFromURIString.parse("pekko://" + context.getSystem().name() + "@" + node.remote()));
      if (!node.id().equals(selfId)) {
        peers.put(node.id(), resolver.resolveActorRef(Peers.path(context.getSystem().name(), node, NAME)));
      }
    }
  }

  public static Behavior<Command> create(String selfId, ClusterConfig config, Duration interval) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      MembershipBootstrap bootstrap = new MembershipBootstrap(context, selfId, config);
      timers.startTimerWithFixedDelay(Round.INSTANCE, Duration.ZERO, interval);
      return bootstrap.running();
    }));
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Probe.class, this::onProbe)
        .onMessage(ProbeReply.class, this::onProbeReply)
        .onMessageEquals(Round.INSTANCE, this::onRound)
        .build();
  }

  private boolean isMember() {
    MemberStatus status = cluster.selfMember().status();
    return status == MemberStatus.up() || status == MemberStatus.weaklyUp();
  }

  private Behavior<Command> onProbe(Probe probe) {
    heardOf.add(probe.from());
    probe.replyTo().tell(new ProbeReply(selfId, isMember(), aliveBefore));
    return Behaviors.same();
  }

  private Behavior<Command> onProbeReply(ProbeReply reply) {
    answers.put(reply.node(), reply.member());
    heardOf.addAll(reply.alive());
    return Behaviors.same();
  }

  /** Decides on the answers of the previous round, then probes again (until a member). */
  private Behavior<Command> onRound() {
    if (isMember()) {
      if (joinSent) {
        context.getLog().info("node {} is a cluster member", selfId);
        joinSent = false;
      }
      return Behaviors.same();
    }
    Set<String> known = new HashSet<>(heardOf);
    known.addAll(heardOfBefore);
    if (joinPendingRounds > 0) {
      joinPendingRounds--;
    } else {
      act(JoinDecision.decide(selfId, config.nodeIds(), answers, known));
    }
    Set<String> alive = new HashSet<>(answers.keySet());
    alive.addAll(heardOf);
    alive.add(selfId);
    aliveBefore = Set.copyOf(alive);
    heardOfBefore = Set.copyOf(heardOf);
    // answers arriving before the next round count for it; later ones for the round after
    answers = new HashMap<>();
    heardOf = new HashSet<>();
    ActorRef<ProbeReply> replyTo = context.getSelf().narrow();
    peers.values().forEach(peer -> peer.tell(new Probe(selfId, replyTo)));
    return Behaviors.same();
  }

  private void act(JoinDecision.Action action) {
    if (!(action instanceof JoinDecision.Action.FormCluster)) {
      formVerdictBefore = false;
    }
    if (action instanceof JoinDecision.Action.JoinExisting join) {
      List<Address> seeds = join.members().stream().map(addresses::get).toList();
      context.getLog().info("joining the cluster of {}", join.members());
      cluster.manager().tell(new JoinSeedNodes(seeds));
      joinSent = true;
      joinPendingRounds = JOIN_PATIENCE_ROUNDS;
    } else if (action instanceof JoinDecision.Action.FormCluster && !formVerdictBefore) {
      formVerdictBefore = true; // confirm in the next round: a lower node may just be starting
      return;
    } else if (action instanceof JoinDecision.Action.FormCluster) {
      context.getLog().info("forming a new cluster: a majority answers and no cluster exists");
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      joinSent = true;
      joinPendingRounds = JOIN_PATIENCE_ROUNDS;
    } else if (action instanceof JoinDecision.Action.Wait wait && !wait.reason().equals(lastWaitReason)) {
      context.getLog().info("not joining yet: {}", wait.reason());
      lastWaitReason = wait.reason();
    }
  }
}
