package io.minidynamo.cluster;

import io.minidynamo.config.ClusterConfig;
import io.minidynamo.config.NodeInfo;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.ReplicaRouter;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The replica entry point of every node, addressed by its fixed actor path from nodes.conf
 * ({@code pekko://<system>@<remote>/user/replica}). Such a path works before and without cluster
 * membership, so the data path never waits for the cluster. Immutable after construction.
 */
public final class Peers {
  private final Map<String, ActorRef<ReplicaProtocol.Command>> replicas;

  public Peers(Map<String, ActorRef<ReplicaProtocol.Command>> replicas) {
    this.replicas = Map.copyOf(replicas);
  }

  /** Resolves every other node's replica path; this node's own replica is given directly. */
  public static Peers resolve(
      ActorSystem<?> system,
      ClusterConfig cluster,
      String selfId,
      ActorRef<ReplicaProtocol.Command> localReplica) {
    ActorRefResolver resolver = ActorRefResolver.get(system);
    Map<String, ActorRef<ReplicaProtocol.Command>> refs = new HashMap<>();
    for (NodeInfo node : cluster.nodes()) {
      if (node.id().equals(selfId)) {
        refs.put(node.id(), localReplica);
      } else {
        refs.put(node.id(), resolver.resolveActorRef(path(system.name(), node, ReplicaRouter.NAME)));
      }
    }
    return new Peers(refs);
  }

  /** The fixed path of a top-level actor on a node. */
  public static String path(String systemName, NodeInfo node, String actorName) {
    return "pekko://" + systemName + "@" + node.remote() + "/user/" + actorName;
  }

  public ActorRef<ReplicaProtocol.Command> replica(String nodeId) {
    ActorRef<ReplicaProtocol.Command> ref = replicas.get(nodeId);
    if (ref == null) {
      throw new IllegalArgumentException("unknown node " + nodeId);
    }
    return ref;
  }
}
