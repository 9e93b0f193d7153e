package io.minidynamo.cluster;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What Pekko Cluster's failure detector currently says about peers: a hint only. Coordinators skip
 * a peer marked unreachable instead of waiting for its timeout; request timeouts stay the truth.
 * Thread-safe: written by the membership listener, read by coordinators.
 */
public final class Reachability {
  private final Set<String> unreachable = ConcurrentHashMap.newKeySet();

  public boolean isUnreachable(String nodeId) {
    return unreachable.contains(nodeId);
  }

  public void markUnreachable(String nodeId) {
    unreachable.add(nodeId);
  }

  /** True when the node was marked unreachable before. */
  public boolean markReachable(String nodeId) {
    return unreachable.remove(nodeId);
  }
}
