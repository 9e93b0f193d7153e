package io.minidynamo.faults;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Every node on 127.0.0.1 with ports free at start: process faults only, no partitions. */
public final class Loopback implements ClusterNetwork {
  private final Map<String, Integer> httpPorts = new HashMap<>();
  private final Map<String, Integer> remotePorts = new HashMap<>();

  public Loopback(List<String> ids) throws IOException {
    List<Integer> ports = FreePorts.take(2 * ids.size());
    for (int i = 0; i < ids.size(); i++) {
      httpPorts.put(ids.get(i), ports.get(2 * i));
      remotePorts.put(ids.get(i), ports.get(2 * i + 1));
    }
  }

  @Override
  public String name() {
    return "loopback";
  }

  @Override
  public boolean canPartition() {
    return false;
  }

  @Override
  public String httpAddress(String id) {
    return "127.0.0.1:" + httpPorts.get(id);
  }

  @Override
  public String remoteAddress(String id) {
    return "127.0.0.1:" + remotePorts.get(id);
  }

  @Override
  public List<String> launchPrefix(String id) {
    return List.of();
  }

  @Override
  public void cut(List<List<String>> pairs) {
    throw new UnsupportedOperationException("no partitions on loopback");
  }

  @Override
  public void healPartitions() {
    // nothing was ever cut
  }
}
