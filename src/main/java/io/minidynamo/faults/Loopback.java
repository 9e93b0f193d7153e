package io.minidynamo.faults;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Every node on 127.0.0.1 with ports free at start: process faults only, no partitions. */
final class Loopback implements ClusterNetwork {
  private final Map<String, Integer> httpPorts = new HashMap<>();
  private final Map<String, Integer> remotePorts = new HashMap<>();

  Loopback(List<String> ids) throws IOException {
    for (String id : ids) {
      httpPorts.put(id, freePort());
      remotePorts.put(id, freePort());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
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
