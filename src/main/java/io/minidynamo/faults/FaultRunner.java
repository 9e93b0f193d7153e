package io.minidynamo.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minidynamo.config.ClusterConfig;
import io.minidynamo.ring.Ring;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The fault-injection suite's runner: {@code java -cp target/mini-dynamo.jar
 * io.minidynamo.faults.FaultRunner --mode short --seed 42 --out DIR}.
 *
 * <p>Starts real node processes (N=3, R=2, W=2), runs the clients while the nemesis injects its
 * seeded schedule of faults, heals everything, waits for convergence, reads every replica of every
 * key written, writes {@code history.json}, runs the {@link Checker}, writes {@code report.html} and
 * prints one line per check and the summary line {@code N passed, N failed}. Exit status: 0 when every
 * check passed, 1 when one failed, 2 for a bad command line, 3 when the run itself broke.
 *
 * <p>With network namespaces (root, {@code ip netns}, {@code iptables}) this process makes the
 * namespaces, then runs a second copy of itself inside the clients' namespace (which is where the
 * run happens), and removes everything when that copy ends or this one is interrupted.
 */
public final class FaultRunner {
  static final int N = 3;
  static final int R = 2;
  static final int W = 2;
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Node settings every run adds, for the machine rather than the test: on a loaded machine a
   * starting JVM can miss Artery's default 3 s to bind its port and exit, which would end the run
   * with a start failure that says nothing about the store. Recorded in the history's settings.
   */
  static final Map<String, String> ENVIRONMENT_SETTINGS =
      Map.of("pekko.remote.artery.bind.bind-timeout", "30s");

  private FaultRunner() {}

  public static void main(String[] args) {
    FaultOptions options;
    try {
      options = FaultOptions.parse(args);
    } catch (FaultOptions.UsageException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println("faults: " + e.getMessage());
      }
      System.err.print(FaultOptions.USAGE);
      System.exit(e.getMessage().isEmpty() ? 0 : 2);
      return;
    }
    int status;
    try {
      if (options.netnsPrefix() != null) {
        exitWithParent();
      }
      status = options.netnsPrefix() == null ? launch(options, System.out) : run(options, System.out);
    } catch (Exception e) {
      System.out.println("faults: the run broke: " + e);
      e.printStackTrace(System.out);
      status = 3;
    }
    System.out.flush();
    System.exit(status);
  }

  /**
   * Inside the namespaces, the parent owns them: if it dies (kill -9), stop too (the shutdown hook
   * stops the nodes) rather than run on in namespaces nobody will remove until the next run.
   */
  private static void exitWithParent() {
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
      System.out.println("faults: the parent runner is gone; stopping");
      System.exit(3);
    }));
  }

  /** Decides the network, and either runs here (loopback) or inside namespaces made for the run. */
  static int launch(FaultOptions options, PrintStream out) throws Exception {
    out.println("faults: seed " + options.seed() + " (mode " + options.mode() + ")");
    if (!options.network().equals("loopback")) {
      String unavailable = Namespaces.unavailableReason();
      if (unavailable == null) {
        Namespaces.cleanStale(out);
        String prefix = Namespaces.prefixFor(ProcessHandle.current().pid());
        try {
          Namespaces namespaces = Namespaces.create(prefix, nodeIds(options.nodes()));
          return runInNamespaces(options.withNetwork("namespaces", prefix), namespaces, out);
        } catch (IOException e) {
          unavailable = "setting up namespaces failed: " + e.getMessage();
        }
      }
      if (options.network().equals("namespaces")) {
        out.println("faults: --network namespaces is not possible here: " + unavailable);
        return 2;
      }
      out.println("faults: ************************************************************");
      out.println("faults: NETWORK NAMESPACES UNAVAILABLE (" + unavailable + ")");
      out.println("faults: running on LOOPBACK with PROCESS FAULTS ONLY: no partitions are tested");
      out.println("faults: ************************************************************");
    }
    return run(options.withNetwork("loopback", null), out);
  }

  /** Runs a copy of this runner inside the clients' namespace; removes the namespaces afterwards. */
  private static int runInNamespaces(FaultOptions options, Namespaces namespaces, PrintStream out)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespaces.clientNamespace(),
        javaBinary(), "-Xmx512m", "-cp", jar().toString(), FaultRunner.class.getName()));
    command.addAll(options.toArgs());
    command.addAll(List.of("--netns-prefix", options.netnsPrefix()));
    Process child = new ProcessBuilder(command).inheritIO().start();
    Thread cleanup = new Thread(() -> {
      // SIGTERM lets the inner runner stop its nodes; whatever is left is killed with the namespaces
      child.destroy();
      try {
        child.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      namespaces.destroy();
    }, "faults-namespaces-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      return child.waitFor();
    } finally {
      namespaces.destroy();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running already
      }
    }
  }

  /** The run itself, in this process: nodes, workload, nemesis, healing, convergence, check. */
  static int run(FaultOptions options, PrintStream out) throws Exception {
    List<String> ids = nodeIds(options.nodes());
    ClusterNetwork network = options.network().equals("namespaces")
        ? Namespaces.attach(options.netnsPrefix(), ids)
        : new Loopback(ids);
    Path dir = options.out();
    Files.createDirectories(dir);
    deleteRecursively(dir.resolve("data"));
    deleteRecursively(dir.resolve("logs"));
    out.println("faults: network " + network.name() + ", " + ids.size() + " nodes, N=" + N + " R=" + R
        + " W=" + W + ", output in " + dir);
    out.println("faults: replay: " + options.replayCommand());

    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(1)).build();
    Map<String, String> nodeSettings = new LinkedHashMap<>(ENVIRONMENT_SETTINGS);
    nodeSettings.putAll(options.settings());
    List<String> jvmOptions = nodeSettings.entrySet().stream()
        .map(setting -> "-D" + setting.getKey() + "=" + setting.getValue()).toList();
    try (NodeProcesses nodes = new NodeProcesses(dir, jar(), network, ids, jvmOptions, http)) {
      Thread stopNodes = new Thread(nodes::close, "faults-stop-nodes");
      Runtime.getRuntime().addShutdownHook(stopNodes);
      Ring ring = ClusterConfig.load(nodes.writeConfig(N, R, W)).ring();
      for (String id : ids) {
        nodes.launch(id, List.of());
      }
      for (String id : ids) {
        nodes.awaitHealthy(id);
      }
      awaitClusterServing(http, nodes, ids);
      out.println("faults: cluster up");

      Recorder recorder = new Recorder();
      List<NemesisSchedule.Step> plan = NemesisSchedule.plan(new Random(options.seed()), options.mode(),
          options.duration().toMillis(), options.faults(), options.faultDuration(), options.faultGap(), ids,
          network.canPartition());
      out.println("faults: schedule (" + plan.size() + " faults):");
      plan.forEach(step -> out.printf("faults:   at %5.1fs for %4.1fs %-17s %s%n", step.atMillis() / 1e3,
          step.durationMillis() / 1e3, step.kind(), step.description()));
      Workload workload = new Workload(recorder, http, ids, nodes::base, options.seed());
      Nemesis nemesis = new Nemesis(plan, nodes, network, recorder, out);
      workload.start();
      nemesis.start();
      Thread.sleep(options.duration().toMillis());
      workload.stop();
      long workloadMicros = recorder.nowMicros();
      nemesis.finish();
      out.printf("faults: workload done at t=%.1fs: %d requests, %d of %d planned faults injected; healing%n",
          workloadMicros / 1e6, recorder.operations().size(), recorder.faults().size(), plan.size());

      healEverything(nodes, network, ids);
      long healed = recorder.nowMicros();
      Convergence convergence = awaitConvergence(http, nodes, ring, workload.keysWritten(),
          options.convergenceDeadline());
      long waited = recorder.nowMicros() - healed;
      out.printf("faults: %s after %.1fs (%d keys, %d replica reads)%n",
          convergence.converged() ? "converged" : "NOT CONVERGED", waited / 1e6,
          workload.keysWritten().size(), convergence.reads().size());

      Map<String, String> urls = new LinkedHashMap<>();
      ids.forEach(id -> urls.put(id, nodes.base(id).toString()));
      History history = new History(
          new History.Run(options.seed(), options.mode(), network.name(), urls, N, R, W,
              recorder.startEpochMillis(), workloadMicros, nodeSettings),
          recorder.operations(),
          recorder.faults(),
          convergence.reads(),
          new History.Convergence(convergence.converged(), waited,
              options.convergenceDeadline().toNanos() / 1_000));
      Path historyFile = dir.resolve("history.json");
      history.write(historyFile);
      nodes.close();
      Runtime.getRuntime().removeShutdownHook(stopNodes);
      out.println("faults: history written to " + historyFile);
      return check(history, dir.resolve("report.html"), options, out);
    }
  }

  private static int check(History history, Path html, FaultOptions options, PrintStream out) {
    CheckReport report = Checker.check(history);
    for (CheckResult result : report.checks()) {
      out.println((result.passed() ? "PASS " : "FAIL ") + result.name() + ": " + result.detail());
      if (!result.passed()) {
        result.examples().stream().limit(5).forEach(example -> out.println("       " + example));
      }
    }
    report.measurements().forEach((name, value) -> out.println("measured " + name + " = " + value));
    try {
      TimelineReport.write(history, report, html);
      out.println("faults: timeline report written to " + html);
    } catch (IOException | RuntimeException e) {
      out.println("faults: could not write the timeline report: " + e);
    }
    out.println("faults: seed " + options.seed() + "; replay: " + options.replayCommand());
    if (report.checks().isEmpty()) {
      out.println("faults: the checker ran no checks: counted as a failure");
      out.println(report.summaryLine());
      return 1;
    }
    out.println(report.summaryLine());
    return report.failed() == 0 ? 0 : 1;
  }

  static List<String> nodeIds(int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      ids.add("n" + i);
    }
    return ids;
  }

  /**
   * Healthy means recovered from disk, not yet member of a cluster: waits until a quorum read
   * through every node is answered (200 or 404), so the workload starts against a working cluster.
   */
  private static void awaitClusterServing(HttpClient http, NodeProcesses nodes, List<String> ids)
      throws InterruptedException {
    long end = System.nanoTime() + NodeProcesses.START_DEADLINE.toNanos();
    for (String id : ids) {
      while (true) {
        try {
          HttpRequest request = HttpRequest.newBuilder(nodes.base(id).resolve("/kv/faults-probe"))
              .timeout(Duration.ofSeconds(3)).GET().build();
          int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
          if (status == 200 || status == 404) {
            break;
          }
        } catch (IOException e) {
          // not serving yet
        }
        if (System.nanoTime() > end) {
          throw new IllegalStateException("the cluster did not serve reads through " + id + " within "
              + NodeProcesses.START_DEADLINE);
        }
        Thread.sleep(200);
      }
    }
  }

  /** Whatever the nemesis left: dead nodes restarted (without skew), paused ones continued, rules gone. */
  private static void healEverything(NodeProcesses nodes, ClusterNetwork network, List<String> ids)
      throws IOException, InterruptedException {
    network.healPartitions();
    for (String id : ids) {
      if (nodes.isAlive(id)) {
        nodes.resume(id);
      } else {
        nodes.launch(id, List.of());
      }
    }
    for (String id : ids) {
      nodes.awaitHealthy(id);
    }
  }

  /** Convergence as waited for: whether it came, and each replica's record as last read. */
  record Convergence(boolean converged, List<History.FinalRead> reads) {}

  /**
   * Polls every replica (the key's N primaries in the ring) of every key written until all replicas
   * of every key hold the same record, or the deadline passes.
   */
  static Convergence awaitConvergence(HttpClient http, NodeProcesses nodes, Ring ring,
      java.util.Set<String> keys, Duration deadline) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    List<String> sortedKeys = keys.stream().sorted().toList();
    while (true) {
      List<History.FinalRead> reads = new ArrayList<>();
      boolean agreed = true;
      for (String key : sortedKeys) {
        List<History.FinalRead> replicas = new ArrayList<>();
        for (String node : ring.primaries(ring.partitionOf(key))) {
          replicas.add(internalGet(http, nodes.base(node), key, node));
        }
        agreed &= agree(replicas);
        reads.addAll(replicas);
      }
      if (agreed || System.nanoTime() > end) {
        reads.sort(Comparator.comparing(History.FinalRead::key).thenComparing(History.FinalRead::node));
        return new Convergence(agreed, reads);
      }
      Thread.sleep(500);
    }
  }

  private static boolean agree(List<History.FinalRead> replicas) {
    History.FinalRead first = replicas.get(0);
    return replicas.stream().allMatch(read -> read.reachable()
        && read.found() == first.found()
        && read.deleted() == first.deleted()
        && Objects.equals(read.value(), first.value())
        && read.timestamp() == first.timestamp()
        && Objects.equals(read.writer(), first.writer()));
  }

  private static History.FinalRead internalGet(HttpClient http, URI base, String key, String node)
      throws InterruptedException {
    try {
      HttpRequest request = HttpRequest.newBuilder(base.resolve("/internal/get"))
          .timeout(Duration.ofSeconds(3))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("key", key).toString()))
          .build();
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        return new History.FinalRead(key, node, false, false, null, false, 0, null);
      }
      JsonNode body = JSON.readTree(response.body());
      if (!body.path("found").asBoolean(false)) {
        return new History.FinalRead(key, node, true, false, null, false, 0, null);
      }
      JsonNode record = body.path("record");
      boolean deleted = record.path("deleted").asBoolean();
      String value = deleted ? null
          : new String(Base64.getDecoder().decode(record.path("value").asText()), StandardCharsets.UTF_8);
      return new History.FinalRead(key, node, true, true, value, deleted, record.path("ts").asLong(),
          record.path("writer_id").asText(null));
    } catch (IOException e) {
      return new History.FinalRead(key, node, false, false, null, false, 0, null);
    }
  }

  /** The jar nodes are started from: {@code -Dminidynamo.jar}, the jar this class is in, or target/. */
  static Path jar() {
    String property = System.getProperty("minidynamo.jar");
    if (property != null) {
      return Path.of(property).toAbsolutePath();
    }
    try {
      Path self = Path.of(FaultRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (self.toString().endsWith(".jar")) {
        return self.toAbsolutePath();
      }
    } catch (java.net.URISyntaxException | RuntimeException e) {
      // fall back to the build's jar
    }
    return Path.of("target", "mini-dynamo.jar").toAbsolutePath();
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
