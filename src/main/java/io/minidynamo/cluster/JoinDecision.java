package io.minidynamo.cluster;

import java.util.List;
import java.util.Map;

/**
 * How a node that is not yet a cluster member decides to join: pure, so the rule is tested alone.
 *
 * <p>The rule keeps a restarted or partitioned node from forming an island cluster of its own:
 * join any existing cluster a peer reports; form a new cluster only when a majority of all nodes
 * (this one included) answered and none of them is a member, and then only the lowest id among
 * those that answered forms it (the others join it on their next round). Two disjoint majorities
 * cannot exist, so two clusters cannot form.
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
   * @param answers the peers that answered this round, to whether they are a cluster member
   */
  public static Action decide(String self, List<String> allNodes, Map<String, Boolean> answers) {
    List<String> members = allNodes.stream()
        .filter(node -> Boolean.TRUE.equals(answers.get(node)))
        .toList();
    if (!members.isEmpty()) {
      return new Action.JoinExisting(members);
    }
    List<String> alive = allNodes.stream()
        .filter(node -> node.equals(self) || answers.containsKey(node))
        .toList();
    if (alive.size() * 2 <= allNodes.size()) {
      return new Action.Wait(
          "only " + alive.size() + " of " + allNodes.size() + " nodes answer; no majority to form a cluster");
    }
    String lowest = alive.stream().sorted().findFirst().orElse(self);
    return lowest.equals(self)
        ? new Action.FormCluster()
        : new Action.Wait("waiting for " + lowest + " to form the cluster");
  }
}
