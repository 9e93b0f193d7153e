package io.minidynamo.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.minidynamo.ring.Ring;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster as nodes.conf describes it: replication (N, R, W), ring size and the node list.
 * Validated on construction, so a running node only ever holds a consistent one: R and W in 1..N,
 * N at most the node count, distinct ids and addresses, ring size a power of two.
 */
public record ClusterConfig(int n, int r, int w, int ringSize, List<NodeInfo> nodes) {

  public ClusterConfig {
    nodes = List.copyOf(nodes);
    validate(n, r, w, ringSize, nodes);
  }

  /** Reads the {@code mini-dynamo} section of a HOCON file. */
  public static ClusterConfig load(Path file) {
    if (!Files.isReadable(file)) {
      throw new InvalidConfigException("config file " + file + " does not exist or is not readable");
    }
    Config config;
    try {
      config = ConfigFactory.parseFile(file.toFile()).resolve();
    } catch (ConfigException e) {
      throw new InvalidConfigException("config file " + file + " is not valid HOCON: " + e.getMessage());
    }
    return fromConfig(config, file.toString());
  }

  static ClusterConfig fromConfig(Config root, String source) {
    try {
      Config c = root.getConfig("mini-dynamo");
      List<NodeInfo> nodes = new ArrayList<>();
      int index = 0;
      for (Config node : c.getConfigList("nodes")) {
        index++;
        String id = node.hasPath("id") ? node.getString("id") : "";
        if (id.isBlank()) {
          throw new InvalidConfigException(source + ": node #" + index + " has no id");
        }
        nodes.add(new NodeInfo(
            id,
            HostPort.parse(node.hasPath("http") ? node.getString("http") : null, "node " + id + " http"),
            HostPort.parse(
                node.hasPath("remote") ? node.getString("remote") : null, "node " + id + " remote")));
      }
      return new ClusterConfig(
          c.getInt("n"), c.getInt("r"), c.getInt("w"), c.getInt("ring-size"), nodes);
    } catch (ConfigException e) {
      throw new InvalidConfigException(source + ": " + e.getMessage());
    }
  }

  private static void validate(int n, int r, int w, int ringSize, List<NodeInfo> nodes) {
    if (nodes.isEmpty()) {
      throw new InvalidConfigException("nodes is empty: list at least one node");
    }
    if (n < 1 || n > nodes.size()) {
      throw new InvalidConfigException(
          "n = " + n + " must be in 1.." + nodes.size() + " (the number of nodes)");
    }
    if (r < 1 || r > n) {
      throw new InvalidConfigException("r = " + r + " must be in 1..n (n = " + n + ")");
    }
    if (w < 1 || w > n) {
      throw new InvalidConfigException("w = " + w + " must be in 1..n (n = " + n + ")");
    }
    if (ringSize < 1 || Integer.bitCount(ringSize) != 1) {
      throw new InvalidConfigException("ring-size = " + ringSize + " must be a power of two");
    }
    if (ringSize < nodes.size()) {
      throw new InvalidConfigException(
          "ring-size = " + ringSize + " is smaller than the number of nodes (" + nodes.size() + ")");
    }
    Set<String> ids = new HashSet<>();
    Set<String> addresses = new HashSet<>();
    for (NodeInfo node : nodes) {
      if (!ids.add(node.id())) {
        throw new InvalidConfigException("duplicate node id '" + node.id() + "'");
      }
      for (HostPort address : List.of(node.http(), node.remote())) {
        if (!addresses.add(address.toString())) {
          throw new InvalidConfigException(
              "duplicate address " + address + " (node " + node.id() + ")");
        }
      }
    }
  }

  public Optional<NodeInfo> node(String id) {
    return nodes.stream().filter(node -> node.id().equals(id)).findFirst();
  }

  /** The node with this id, or the one-line error for an unknown {@code --id}. */
  public NodeInfo requireNode(String id) {
    return node(id).orElseThrow(() -> new InvalidConfigException(
        "unknown --id '" + id + "': nodes.conf lists " + nodeIds()));
  }

  public List<String> nodeIds() {
    return nodes.stream().map(NodeInfo::id).toList();
  }

  public Ring ring() {
    return Ring.create(nodeIds(), ringSize, n);
  }
}
