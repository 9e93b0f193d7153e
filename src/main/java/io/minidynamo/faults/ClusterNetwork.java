package io.minidynamo.faults;

import java.io.IOException;
import java.util.List;

/**
 * Where the runner's nodes live and how the network between them is cut: {@link Namespaces} (one
 * network namespace per node on a private bridge, partitions by iptables) or {@link Loopback} (every
 * node on 127.0.0.1, no partitions).
 */
public interface ClusterNetwork {
  /** {@code namespaces} or {@code loopback}, as recorded in the history. */
  String name();

  boolean canPartition();

  /** The node's HTTP address, {@code host:port}. */
  String httpAddress(String id);

  /** The node's Artery (node-to-node) address, {@code host:port}. */
  String remoteAddress(String id);

  /** What the node's command line is prefixed with (e.g. {@code ip netns exec <ns>}); may be empty. */
  List<String> launchPrefix(String id);

  /** Drops all traffic between each pair of nodes (both directions). */
  void cut(List<List<String>> pairs) throws IOException, InterruptedException;

  /** Removes every cut. */
  void healPartitions() throws IOException, InterruptedException;
}
