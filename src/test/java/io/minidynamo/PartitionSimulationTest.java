package io.minidynamo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.minidynamo.Main.NodeStart;
import io.minidynamo.config.CommandLine;
import io.minidynamo.config.NodeSettings;
import io.minidynamo.faults.FreePorts;
import io.minidynamo.faults.NodesConf;
import io.minidynamo.testing.Poll;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.remote.RARP;
import org.apache.pekko.remote.RemoteTransport;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter.ThrottleMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import scala.concurrent.Await;
import scala.concurrent.Future;

/**
 * In-JVM network partition: three full nodes (one {@link ActorSystem} each, running the real
 * {@link Guardian} over Artery TCP on loopback), n3 cut off from n1 and n2 with Artery's test-mode
 * blackhole, writes through the majority side, heal, convergence. Complements the real-process ITs:
 * the partition here is exact and instant (messages dropped in both directions), which a process
 * pause or kill cannot give.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PartitionSimulationTest {
  private static final Duration START_DEADLINE = Duration.ofSeconds(30);
  private static final Duration CONVERGE_DEADLINE = Duration.ofSeconds(20);
  private static final int PARTITION_WRITES = 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Client deadline of quorum requests. The default 2 s is tight for the first requests of a cold
   * JVM on a loaded 2-core box; the test is about where data ends up, not latency. The replica
   * timeout (hand-off) stays as configured.
   */
  private static final String DEADLINE = "&timeout=10000";

  @TempDir Path dir;

  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private String isolated;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private record Node(String id, int httpPort, ActorSystem<Void> system) {}

  /** Hinted handoff alone (anti-entropy off) repairs the cut-off replica once the partition heals. */
  @Test
  void hintedHandoffConvergesTheCutOffReplicaAfterHeal() throws Exception {
    startCluster("mini-dynamo.anti-entropy.enabled = off");
    Map<String, String> written = writeThroughPartition();

    JsonNode hints = awaitJson("n1", "/debug/hints",
        json -> json.path("targets").path("n3").asLong() >= PARTITION_WRITES,
        "n1 (the coordinator; nodes = N, so no fallback) to hold a hint for n3 per partition-time write ("
            + PARTITION_WRITES + ")");
    assertEquals(PARTITION_WRITES, hints.path("targets").path("n3").asLong(),
        "one hint for n3 per write made while it was cut off: " + hints);
    assertFalse(hints.path("targets").has("n1") || hints.path("targets").has("n2"),
        "no hints for the reachable replicas n1, n2: " + hints);

    heal();
    awaitOnReplica("n3", written, "n3 to receive every partition-time write by hinted handoff after heal");
    awaitJson("n1", "/debug/hints", json -> json.path("count").asLong() == 0,
        "n1's hints to drain to 0 once delivered to n3");
    awaitAllReachable();
  }

  /** With hinted handoff off nothing is kept for n3: Merkle anti-entropy alone converges it. */
  @Test
  void antiEntropyAloneConvergesTheCutOffReplicaAfterHeal() throws Exception {
    startCluster("mini-dynamo.hints.enabled = off");
    Map<String, String> written = writeThroughPartition();

    JsonNode hints = getJson("n1", "/debug/hints");
    assertEquals(0, hints.path("count").asLong(), "hinted handoff is off: n1 keeps no hints: " + hints);

    heal();
    awaitOnReplica("n3", written, "anti-entropy to repair every partition-time write onto n3 after heal");
    awaitAllReachable();

    long repaired = 0;
    for (String id : List.of("n1", "n2", "n3")) {
      JsonNode ae = getJson(id, "/debug/ae");
      repaired += ae.path("keys_repaired_out").asLong() + ae.path("keys_repaired_in").asLong();
    }
    assertTrue(repaired >= PARTITION_WRITES,
        "anti-entropy to account for at least the " + PARTITION_WRITES + " missing keys, repaired " + repaired);
    assertEquals(0, getJson("n1", "/debug/hints").path("count").asLong(),
        "still no hints on n1 (handoff off): n3 was repaired by anti-entropy");
  }

  /**
   * Steps shared by both variants: a baseline key on all three replicas; then n3 cut off and writes
   * through n1 (W=2): half at once (the coordinator still sends to n3 and times out on it), half
   * once Pekko's failure detector on n1 and n2 has marked n3 unreachable (the coordinator skips
   * it). All succeed, read back through n2 (R=2), and are absent on n3.
   */
  private Map<String, String> writeThroughPartition() throws Exception {
    HttpResponse<byte[]> baseline = put("n1", "/kv/baseline?w=3" + DEADLINE, "before the partition");
    assertEquals(204, baseline.statusCode(), "PUT with w=3 while all three nodes are connected: "
        + new String(baseline.body(), StandardCharsets.UTF_8));
    for (String id : nodes.keySet()) {
      assertEquals("before the partition", localValue(id, "baseline"),
          "w=3 write acknowledged, so replica " + id + " holds it");
    }

    partition("n3");
    Map<String, String> written = new LinkedHashMap<>();
    writeConcurrently(0, PARTITION_WRITES / 2, written);
    for (String id : List.of("n1", "n2")) {
      Poll.until(CONVERGE_DEADLINE, () -> unreachable(nodes.get(id)).contains(address(nodes.get("n3"))),
          () -> id + "'s failure detector to mark the blackholed n3 unreachable; unreachable: "
              + unreachable(nodes.get(id)));
    }
    writeConcurrently(PARTITION_WRITES / 2, PARTITION_WRITES, written);

    for (Map.Entry<String, String> entry : written.entrySet()) {
      HttpResponse<byte[]> response =
          send("n2", request("n2", "/kv/" + entry.getKey() + "?r=2" + DEADLINE).GET().build());
      String body = new String(response.body(), StandardCharsets.UTF_8);
      assertEquals(200, response.statusCode(),
          "GET " + entry.getKey() + " via n2 with R=2 on the majority side: " + body);
      assertEquals(entry.getValue(), body, "value of " + entry.getKey() + " read via n2");
      assertEquals(null, localValue("n3", entry.getKey()),
          "n3 is cut off, so it must not hold " + entry.getKey() + " yet");
    }
    return written;
  }

  /** PUTs keys {@code from..to-1} via n1 all at once; each must be acknowledged (W=2). */
  private void writeConcurrently(int from, int to, Map<String, String> written) throws Exception {
    Map<String, CompletableFuture<HttpResponse<byte[]>>> puts = new LinkedHashMap<>();
    for (int i = from; i < to; i++) {
      String key = "partitioned-" + i;
      String value = "value-" + i;
      written.put(key, value);
      puts.put(key, http.sendAsync(request("n1", "/kv/" + key + "?" + DEADLINE.substring(1))
              .PUT(HttpRequest.BodyPublishers.ofString(value)).build(),
          HttpResponse.BodyHandlers.ofByteArray()));
    }
    for (Map.Entry<String, CompletableFuture<HttpResponse<byte[]>>> put : puts.entrySet()) {
      HttpResponse<byte[]> response = put.getValue().get(20, TimeUnit.SECONDS);
      assertEquals(204, response.statusCode(), "PUT " + put.getKey() + " via n1 with W=2 while n3 is cut off: "
          + new String(response.body(), StandardCharsets.UTF_8));
    }
  }

  // ---------------------------------------------------------------- cluster

  private void startCluster(String variantConfig) throws Exception {
    List<String> ids = List.of("n1", "n2", "n3");
    Map<String, Integer> httpPorts = new LinkedHashMap<>();
    Map<String, Integer> remotePorts = new LinkedHashMap<>();
    List<Integer> ports = FreePorts.take(2 * ids.size());
    for (int i = 0; i < ids.size(); i++) {
      httpPorts.put(ids.get(i), ports.get(2 * i));
      remotePorts.put(ids.get(i), ports.get(2 * i + 1));
    }
    Path nodesConf = dir.resolve("nodes.conf");
    Files.writeString(nodesConf, NodesConf.render(3, 2, 2, ids,
        id -> "127.0.0.1:" + httpPorts.get(id), id -> "127.0.0.1:" + remotePorts.get(id)));

    Config overrides = ConfigFactory.parseString(String.join("\n",
        "pekko.remote.artery.advanced.test-mode = on",
        "pekko.coordinated-shutdown.exit-jvm = off",
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
        "mini-dynamo.anti-entropy.interval = 1s",
        // an exchange with n3 started during the partition waits out this timeout before the
        // next round can retry it (default 10 s)
        "mini-dynamo.anti-entropy.exchange-timeout = 3s",
        // also the deadline of the coordinator's own hint write: with 300ms (and fsync) one run on
        // a loaded 2-core box lost a hint and answered 503; writes run concurrently, so 1s costs
        // about one second in all
        "mini-dynamo.replica-timeout = 1s",
        // no crash here: fsync would only add disk latency shared with other builds on the machine
        "mini-dynamo.durability = none",
        variantConfig));
    for (String id : ids) {
      NodeStart start = Main.prepare(CommandLine.parse(
          "--id", id, "--config", nodesConf.toString(), "--data-dir", dir.resolve("data-" + id).toString()));
      Config config = overrides.withFallback(start.pekkoConfig()).resolve();
      // Main.prepare read the node settings before our overrides: read them again from the result
      NodeSettings settings = NodeSettings.fromConfig(config);
      ActorSystem<Void> system = ActorSystem.create(
          Guardian.create(start.self(), start.cluster(), settings, start.listen(), start.dataDir()),
          Main.SYSTEM_NAME,
          config);
      nodes.put(id, new Node(id, httpPorts.get(id), system));
      // One at a time: a node still busy starting can miss a membership probe round, and then two
      // nodes may each form a cluster (seen once with all three started at once: n1 and n2 both
      // decided FormCluster from different answers). The Up check below catches it.
      Poll.until(START_DEADLINE, () -> healthy(id), () -> id + " to answer GET /health with 200");
    }
    for (Node node : nodes.values()) {
      Poll.until(START_DEADLINE, () -> upMembers(node) == ids.size(),
          () -> node.id() + " to see all " + ids.size() + " nodes Up in one cluster, sees " + upMembers(node)
              + " (fewer: the nodes formed separate clusters, or a join is still pending)");
    }
  }

  private static Address address(Node node) {
    return Cluster.get(node.system()).selfMember().address();
  }

  private static List<Address> unreachable(Node node) {
    return Cluster.get(node.system()).state().getUnreachable().stream().map(Member::address).toList();
  }

  /** After a heal: every node's failure detector sees every other node reachable again. */
  private void awaitAllReachable() {
    for (Node node : nodes.values()) {
      Poll.until(CONVERGE_DEADLINE, () -> unreachable(node).isEmpty(),
          () -> node.id() + " to see every node reachable after heal; unreachable: " + unreachable(node));
    }
  }

  private static long upMembers(Node node) {
    return java.util.stream.StreamSupport.stream(
            Cluster.get(node.system()).state().getMembers().spliterator(), false)
        .filter(member -> member.status() == MemberStatus.up())
        .count();
  }

  @AfterEach
  void shutdown() throws Exception {
    try {
      if (isolated != null) {
        heal(); // a still-blackholed node would hold up every node's cluster-exiting phase (10 s)
      }
    } finally {
      for (Node node : nodes.values()) {
        node.system().terminate();
      }
      for (Node node : nodes.values()) {
        node.system().getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      nodes.clear();
    }
  }

  // ---------------------------------------------------------------- partition

  /** Cuts {@code isolated} off from every other node, in both directions, on both sides. */
  private void partition(String id) {
    assertEquals(null, isolated, "one partition at a time");
    isolated = id;
    setThrottle(id, ThrottlerTransportAdapter.blackholeThrottleMode());
  }

  private void heal() {
    setThrottle(isolated, ThrottlerTransportAdapter.unthrottledThrottleMode());
    isolated = null;
  }

  private void setThrottle(String id, ThrottleMode mode) {
    Node cut = nodes.get(id);
    for (Node other : nodes.values()) {
      if (other != cut) {
        throttle(other, cut, mode);
        throttle(cut, other, mode);
      }
    }
  }

  private static void throttle(Node from, Node to, ThrottleMode mode) {
    RARP rarp = (RARP) RARP.get(Adapter.toClassic(from.system()));
    RemoteTransport transport = rarp.provider().transport();
    Address target = address(to);
    Future<Object> done = transport.managementCommand(new ThrottlerTransportAdapter.SetThrottle(
        target, ThrottlerTransportAdapter.bothDirection(), mode));
    Object ok;
    try {
      ok = Await.result(done, scala.concurrent.duration.Duration.create(5, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new AssertionError("SetThrottle " + mode + " " + from.id() + " -> " + to.id() + " failed", e);
    }
    assertEquals(Boolean.TRUE, ok, "Artery (test-mode on) to accept SetThrottle " + mode + " from "
        + from.id() + " to " + to.id());
  }

  // ---------------------------------------------------------------- HTTP

  private HttpRequest.Builder request(String id, String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(id).httpPort() + pathAndQuery))
        .timeout(Duration.ofSeconds(15));
  }

  private HttpResponse<byte[]> send(String id, HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> put(String id, String pathAndQuery, String body) throws Exception {
    return send(id, request(id, pathAndQuery).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private boolean healthy(String id) {
    try {
      return send(id, request(id, "/health").GET().build()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private JsonNode getJson(String id, String path) throws Exception {
    HttpResponse<byte[]> response = send(id, request(id, path).GET().build());
    assertEquals(200, response.statusCode(), "GET " + path + " on " + id);
    return JSON.readTree(response.body());
  }

  /** The value replica {@code id} itself holds for {@code key} (no quorum), or null if it has none. */
  private String localValue(String id, String key) throws Exception {
    HttpResponse<byte[]> response = send(id, request(id, "/internal/get")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("key", key))))
        .build());
    assertEquals(200, response.statusCode(), "POST /internal/get on " + id);
    JsonNode json = JSON.readTree(response.body());
    if (!json.path("found").asBoolean() || json.path("record").path("deleted").asBoolean()) {
      return null;
    }
    return new String(Base64.getDecoder().decode(json.path("record").path("value").asText()),
        StandardCharsets.UTF_8);
  }

  private void awaitOnReplica(String id, Map<String, String> expected, String what) {
    Map<String, String> missing = new LinkedHashMap<>(expected);
    Poll.until(CONVERGE_DEADLINE, () -> {
      missing.entrySet().removeIf(entry -> {
        try {
          return entry.getValue().equals(localValue(id, entry.getKey()));
        } catch (Exception e) {
          return false;
        }
      });
      return missing.isEmpty();
    }, () -> what + "; still missing or stale on " + id + ": " + missing.keySet());
    for (Map.Entry<String, String> entry : expected.entrySet()) {
      try {
        assertEquals(entry.getValue(), localValue(id, entry.getKey()), entry.getKey() + " on " + id);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    try {
      assertEquals("before the partition", localValue(id, "baseline"), "baseline key still on " + id);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private JsonNode awaitJson(
      String id, String path, java.util.function.Predicate<JsonNode> condition, String what) {
    JsonNode[] last = new JsonNode[1];
    Poll.until(CONVERGE_DEADLINE, () -> {
      try {
        last[0] = getJson(id, path);
        return condition.test(last[0]);
      } catch (Exception e) {
        return false;
      }
    }, () -> what + "; last GET " + path + " on " + id + ": " + last[0]);
    return last[0];
  }
}
