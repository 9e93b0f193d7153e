package io.minidynamo.cluster;

import io.minidynamo.config.ClusterConfig;
import io.minidynamo.config.NodeInfo;
import io.minidynamo.replica.ReplicaProtocol;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The replica entry point and hint store of every node, addressed by fixed actor paths from
 * nodes.conf ({@code pekko://<system>@<remote>/user/replica}, {@code .../user/hints}). Such a path works before and without cluster
 * membership, so the data path never waits for the cluster. Immutable after construction.
 */
public final class Peers {
  private final Map<String, ActorRef<ReplicaProtocol.Command>> replicas;
  private final Map<String, ActorRef<ReplicaProtocol.Command>> hints;

  public Peers(
      Map<String, ActorRef<ReplicaProtocol.Command>> replicas,
      Map<String, ActorRef<ReplicaProtocol.Command>> hints) {
    this.replicas = Map.copyOf(replicas);
    this.hints = Map.copyOf(hints);
  }

  /**
   * The fixed-path refs of one top-level actor on every node. This node's own path resolves to the
   * local actor, which must have been spawned already.
   */
  public static Map<String, ActorRef<ReplicaProtocol.Command>> resolveAll(
      ActorSystem<?> system, ClusterConfig cluster, String actorName) {
    ActorRefResolver resolver = ActorRefResolver.get(system);
    Map<String, ActorRef<ReplicaProtocol.Command>> refs = new HashMap<>();
    for (NodeInfo node : cluster.nodes()) {
      refs.put(node.id(), resolver.resolveActorRef(path(system.name(), node, actorName)));
    }
    return refs;
  }

  /** The fixed path of a top-level actor on a node. */
  public static String path(String systemName, NodeInfo node, String actorName) {
    return "pekko://" + systemName + "@" + node.remote() + "/user/" + actorName;
  }

  public ActorRef<ReplicaProtocol.Command> replica(String nodeId) {
    return lookup(replicas, nodeId);
  }

  public ActorRef<ReplicaProtocol.Command> hints(String nodeId) {
    return lookup(hints, nodeId);
  }

  private static ActorRef<ReplicaProtocol.Command> lookup(
      Map<String, ActorRef<ReplicaProtocol.Command>> refs, String nodeId) {
    ActorRef<ReplicaProtocol.Command> ref = refs.get(nodeId);
    if (ref == null) {
      throw new IllegalArgumentException("unknown node " + nodeId);
    }
    return ref;
  }
}
