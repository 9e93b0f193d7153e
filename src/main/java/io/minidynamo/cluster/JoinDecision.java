package io.minidynamo.cluster;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a node that is not yet a cluster member decides to join: pure, so the rule is tested alone.
 *
 * <p>The rule keeps a restarted or partitioned node from forming an island cluster of its own, and
 * two nodes from forming two clusters at once: join any existing cluster a peer reports; form a new
 * cluster only when a majority of all nodes (this one included) answered this node's probes and none
 * of them is a member, and only if this node has the lowest id among every node known to be alive —
 * those that answered, those that probed this node, and those its peers report alive. A probe is a
 * round trip, so two nodes that reach each other in either direction both know of each other, and
 * the one with the higher id waits. The caller also requires the same verdict in consecutive rounds.
 */
public final class JoinDecision {
  private JoinDecision() {}

  /** What to do after one round of probes. */
  public sealed interface Action {
    /** Join the cluster these members belong to. */
    record JoinExisting(List<String> members) implements Action {}

    /** Form a new cluster by joining ourselves. */
    record FormCluster() implements Action {}

    /** Not enough is known: probe again. */
    record Wait(String reason) implements Action {}
  }

  /**
   * @param self this node's id
   * @param allNodes every node of nodes.conf
   * @param answers the peers that answered this node's probes, to whether they are a cluster member
   * @param knownAlive other nodes known to be alive: peers that probed this node, and the nodes the
   *     answering peers report alive
   */
  public static Action decide(
      String self, List<String> allNodes, Map<String, Boolean> answers, Set<String> knownAlive) {
    List<String> members = allNodes.stream()
        .filter(node -> Boolean.TRUE.equals(answers.get(node)))
        .toList();
    if (!members.isEmpty()) {
      return new Action.JoinExisting(members);
    }
    long reachable = allNodes.stream()
        .filter(node -> node.equals(self) || answers.containsKey(node))
        .count();
    if (reachable * 2 <= allNodes.size()) {
      return new Action.Wait(
          "only " + reachable + " of " + allNodes.size() + " nodes answer; no majority to form a cluster");
    }
    Set<String> alive = new TreeSet<>(answers.keySet());
    alive.addAll(knownAlive);
    alive.add(self);
    alive.retainAll(allNodes);
    String lowest = ((TreeSet<String>) alive).first();
    return lowest.equals(self)
        ? new Action.FormCluster()
        : new Action.Wait("waiting for " + lowest + " to form the cluster");
  }
}
