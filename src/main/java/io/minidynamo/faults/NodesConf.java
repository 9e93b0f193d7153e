package io.minidynamo.faults;

import java.util.List;
import java.util.function.Function;

/** The text of a nodes.conf for a cluster of real node processes (fault runner and tests). */
public final class NodesConf {
  private NodesConf() {}

  /**
   * The given replication, 64 partitions, and each of {@code ids} (in order) at its addresses.
   *
   * @param httpAddress a node's HTTP {@code host:port}
   * @param remoteAddress a node's Artery {@code host:port}
   */
  public static String render(int n, int r, int w, List<String> ids,
      Function<String, String> httpAddress, Function<String, String> remoteAddress) {
    StringBuilder conf = new StringBuilder();
    conf.append("mini-dynamo {\n  n = ").append(n).append("\n  r = ").append(r)
        .append("\n  w = ").append(w).append("\n  ring-size = 64\n  nodes = [\n");
    for (String id : ids) {
      conf.append("    { id = \"").append(id).append("\", http = \"").append(httpAddress.apply(id))
          .append("\", remote = \"").append(remoteAddress.apply(id)).append("\" }\n");
    }
    return conf.append("  ]\n}\n").toString();
  }
}
