package io.minidynamo.faults;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One network namespace per node, one for the clients and one holding a bridge that joins them, so
 * the network between nodes can really be cut. Every name starts with {@code mdf<pid>-}, the pid of
 * the runner that made them; nothing is created in the host's own namespace (the veth pairs are made
 * directly inside the namespaces), so no address outside these namespaces is ever used and the host's
 * routing is untouched. Deleting the namespaces removes the links and iptables rules with them.
 *
 * <p>Layout: {@code <prefix>br} holds bridge {@code br0}; {@code <prefix>c} (clients, 10.231.0.100)
 * and {@code <prefix>n<i>} (node i, 10.231.0.i) each hold {@code eth0}, whose peer is a port of
 * {@code br0}. Partitions are iptables DROP rules in the nodes' namespaces between node addresses
 * only; the client address is never dropped, so clients reach every node and availability is seen.
 */
final class Namespaces implements ClusterNetwork {
  static final String SUBNET = "10.231.0.";
  static final int HTTP_PORT = 9000;
  static final int REMOTE_PORT = 2552;
  private static final Pattern OURS = Pattern.compile("^mdf(\\d+)-\\S+");

  private final String prefix;
  private final List<String> ids;

  private Namespaces(String prefix, List<String> ids) {
    this.prefix = prefix;
    this.ids = List.copyOf(ids);
  }

  static String prefixFor(long pid) {
    return "mdf" + pid + "-";
  }

  /** The namespaces a runner with {@code prefix} already made (this process runs inside them). */
  static Namespaces attach(String prefix, List<String> ids) {
    return new Namespaces(prefix, ids);
  }

  /** Makes the namespaces, bridge and links; on any failure removes what it made and throws. */
  static Namespaces create(String prefix, List<String> ids) throws IOException, InterruptedException {
    Namespaces namespaces = new Namespaces(prefix, ids);
    try {
      namespaces.build();
      return namespaces;
    } catch (IOException | RuntimeException e) {
      namespaces.destroy();
      throw e;
    }
  }

  /** Whether this machine can run namespaces at all: root, and the ip and iptables commands. */
  static String unavailableReason() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "not running as root";
    }
    if (!Shell.quietly(List.of("ip", "netns", "list"))) {
      return "'ip netns' does not work (iproute2 missing?)";
    }
    if (!Shell.quietly(List.of("iptables", "--version"))) {
      return "iptables is missing";
    }
    return null;
  }

  String clientNamespace() {
    return prefix + "c";
  }

  private String nodeNamespace(String id) {
    return prefix + id;
  }

  private List<String> allNamespaces() {
    List<String> all = new ArrayList<>();
    all.add(clientNamespace());
    ids.forEach(id -> all.add(nodeNamespace(id)));
    all.add(prefix + "br");
    return all;
  }

  private void build() throws IOException, InterruptedException {
    String bridge = prefix + "br";
    Shell.run(List.of("ip", "netns", "add", bridge));
    Shell.run(List.of("ip", "-n", bridge, "link", "add", "br0", "type", "bridge"));
    Shell.run(List.of("ip", "-n", bridge, "link", "set", "br0", "up"));
    endpoint(clientNamespace(), "c", SUBNET + "100");
    for (int i = 0; i < ids.size(); i++) {
      endpoint(nodeNamespace(ids.get(i)), ids.get(i), address(ids.get(i)));
    }
    // the partition rules must really drop: probe one in a node namespace
    String probe = nodeNamespace(ids.get(0));
    iptables(probe, "-A", "OUTPUT", "-d", SUBNET + "254", "-j", "DROP");
    iptables(probe, "-F", "OUTPUT");
  }

  private void endpoint(String namespace, String port, String address) throws IOException, InterruptedException {
    String bridge = prefix + "br";
    Shell.run(List.of("ip", "netns", "add", namespace));
    Shell.run(List.of("ip", "link", "add", "eth0", "netns", namespace, "type", "veth",
        "peer", "name", port, "netns", bridge));
    Shell.run(List.of("ip", "-n", bridge, "link", "set", port, "master", "br0", "up"));
    Shell.run(List.of("ip", "-n", namespace, "addr", "add", address + "/24", "dev", "eth0"));
    Shell.run(List.of("ip", "-n", namespace, "link", "set", "eth0", "up"));
    Shell.run(List.of("ip", "-n", namespace, "link", "set", "lo", "up"));
  }

  private String address(String id) {
    return SUBNET + (ids.indexOf(id) + 1);
  }

  private void iptables(String namespace, String... rule) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "iptables", "-w"));
    command.addAll(List.of(rule));
    Shell.run(command);
  }

  /**
   * Kills every process still inside one of these namespaces (they can only be this run's nodes or
   * client), then deletes the namespaces, and with them their links and rules.
   */
  void destroy() {
    for (String namespace : allNamespaces()) {
      killProcessesIn(namespace);
      Shell.quietly(List.of("ip", "netns", "del", namespace));
    }
  }

  private static void killProcessesIn(String namespace) {
    try {
      List<ProcessHandle> killed = new ArrayList<>();
      for (String line : Shell.run(List.of("ip", "netns", "pids", namespace)).split("\\s+")) {
        if (!line.isBlank()) {
          ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(process -> {
            process.destroyForcibly();
            killed.add(process);
          });
        }
      }
      for (ProcessHandle process : killed) {
        process.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // SIGKILL was sent; a process that is slow to go cannot keep the namespace from deletion
    } catch (IOException | NumberFormatException e) {
      // no such namespace (any more): nothing runs in it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Removes namespaces left by earlier runners that were killed before they could clean up: those
   * named {@code mdf<pid>-} whose runner pid no longer exists.
   */
  static void cleanStale(PrintStream log) {
    String list;
    try {
      list = Shell.run(List.of("ip", "netns", "list"));
    } catch (IOException e) {
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    for (String line : list.split("\n")) {
      Matcher matcher = OURS.matcher(line.trim());
      if (!matcher.find()) {
        continue;
      }
      long owner = Long.parseLong(matcher.group(1));
      if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
        continue;
      }
      String namespace = matcher.group(0);
      log.println("faults: removing stale namespace " + namespace + " of dead runner pid " + owner);
      killProcessesIn(namespace);
      Shell.quietly(List.of("ip", "netns", "del", namespace));
    }
  }

  @Override
  public String name() {
    return "namespaces";
  }

  @Override
  public boolean canPartition() {
    return true;
  }

  @Override
  public String httpAddress(String id) {
    return address(id) + ":" + HTTP_PORT;
  }

  @Override
  public String remoteAddress(String id) {
    return address(id) + ":" + REMOTE_PORT;
  }

  @Override
  public List<String> launchPrefix(String id) {
    // ip netns exec execs the command: the process started is the node's JVM itself
    return List.of("ip", "netns", "exec", nodeNamespace(id));
  }

  @Override
  public void cut(List<List<String>> pairs) throws IOException, InterruptedException {
    for (List<String> pair : pairs) {
      block(pair.get(0), pair.get(1));
      block(pair.get(1), pair.get(0));
    }
  }

  private void block(String at, String peer) throws IOException, InterruptedException {
    iptables(nodeNamespace(at), "-A", "INPUT", "-s", address(peer), "-j", "DROP");
    iptables(nodeNamespace(at), "-A", "OUTPUT", "-d", address(peer), "-j", "DROP");
  }

  @Override
  public void healPartitions() throws IOException, InterruptedException {
    for (String id : ids) {
      iptables(nodeNamespace(id), "-F", "INPUT");
      iptables(nodeNamespace(id), "-F", "OUTPUT");
    }
  }
}
