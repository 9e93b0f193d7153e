package io.minidynamo.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minidynamo.faults.Loopback;
import io.minidynamo.faults.NodeProcesses;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A cluster of real node processes started from the built jar, on loopback ports chosen free at
 * start, with data dirs and logs under a temporary directory ({@link NodeProcesses}, which the
 * fault runner uses too). Faults are real: {@link #kill} is SIGKILL, {@link #pause} SIGSTOP. Every
 * process is stopped by its own handle (pid), never by name.
 */
final class LocalCluster implements AutoCloseable {
  private final List<String> ids;
  private final Loopback network;
  private final NodeProcesses nodes;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /** JVM options every node is launched with (e.g. {@code -Dmini-dynamo.hints.enabled=off}). */
  private final List<String> jvmOptions = new ArrayList<>();
  static final ObjectMapper JSON = new ObjectMapper();

  private LocalCluster(Path dir, Path jar, List<String> ids) throws IOException {
    this.ids = List.copyOf(ids);
    this.network = new Loopback(ids);
    this.nodes = new NodeProcesses(dir, jar, network, ids, List.of(), http);
  }

  /** Writes nodes.conf for {@code nodes} nodes with the given N/R/W; starts nothing yet. */
  static LocalCluster create(Path dir, int nodes, int n, int r, int w) throws IOException {
    String jarPath = System.getProperty("minidynamo.jar", "target/mini-dynamo.jar");
    Path jar = Path.of(jarPath).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no node jar at " + jar + ": run mvn package first");
    }
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      ids.add("n" + i);
    }
    LocalCluster cluster = new LocalCluster(dir, jar, ids);
    cluster.nodes.writeConfig(n, r, w);
    return cluster;
  }

  static LocalCluster start(Path dir, int nodes, int n, int r, int w) throws IOException {
    LocalCluster cluster = create(dir, nodes, n, r, w);
    cluster.startOrClose();
    return cluster;
  }

  /**
   * Like {@link #start(Path, int, int, int, int)}, every node (and every later restart of one)
   * launched with {@code jvmOptions}, e.g. {@code -Dmini-dynamo.anti-entropy.enabled=off}.
   */
  static LocalCluster start(Path dir, int nodes, int n, int r, int w, String... jvmOptions)
      throws IOException {
    LocalCluster cluster = create(dir, nodes, n, r, w);
    cluster.jvmOptions(jvmOptions);
    cluster.startOrClose();
    return cluster;
  }

  /**
   * Starts every node; if one fails to come up, stops the ones already launched before rethrowing:
   * the caller never got the cluster, so its try-with-resources cannot close it (they leaked).
   */
  private void startOrClose() throws IOException {
    try {
      startAll();
    } catch (RuntimeException | Error | IOException e) {
      close();
      throw e;
    }
  }

  /** Sets the JVM options every later launch of every node gets (before its own extra options). */
  LocalCluster jvmOptions(String... options) {
    jvmOptions.clear();
    jvmOptions.addAll(List.of(options));
    return this;
  }

  List<String> ids() {
    return ids;
  }

  Path configFile() {
    return nodes.configFile();
  }

  Path dataDir(String id) {
    return nodes.dataDir(id);
  }

  Path log(String id) {
    return nodes.log(id);
  }

  /** Launches every node (with the cluster's JVM options plus {@code extraJvmOptions}), then awaits all healthy. */
  void startAll(String... extraJvmOptions) throws IOException {
    for (String id : ids) {
      launch(id, extraJvmOptions);
    }
    for (String id : ids) {
      awaitHealthy(id);
    }
  }

  /** Starts a node process (appending to its log) without waiting for it. */
  Process launch(String id, String... extraJvmOptions) throws IOException {
    List<String> options = new ArrayList<>(jvmOptions);
    options.addAll(List.of(extraJvmOptions));
    return nodes.launch(id, options);
  }

  void start(String id, String... extraJvmOptions) throws IOException {
    launch(id, extraJvmOptions);
    awaitHealthy(id);
  }

  /** SIGKILL every live node at once (all signals sent before waiting for any), and wait until all are gone. */
  void killAll() throws InterruptedException {
    nodes.killAll();
  }

  /** SIGKILL, and wait until the process is gone. */
  void kill(String id) throws InterruptedException {
    nodes.kill(id);
  }

  /**
   * SIGTERM, and the exit status once the node has shut down (SIGKILL's 137 if it had not within
   * 30 s).
   */
  int stop(String id) throws IOException, InterruptedException {
    return nodes.stop(id);
  }

  void pause(String id) throws IOException, InterruptedException {
    nodes.pause(id);
  }

  void resume(String id) throws IOException, InterruptedException {
    nodes.resume(id);
  }

  boolean isAlive(String id) {
    return nodes.isAlive(id);
  }

  void awaitHealthy(String id) {
    try {
      nodes.awaitHealthy(id);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  boolean healthy(String id) {
    return nodes.healthy(id);
  }

  String logTail(String id) {
    return nodes.logTail(id);
  }

  URI uri(String id, String pathAndQuery) {
    return URI.create("http://" + network.httpAddress(id) + pathAndQuery);
  }

  HttpResponse<byte[]> send(HttpRequest request) throws IOException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  HttpResponse<byte[]> get(String id, String pathAndQuery) throws IOException {
    return send(HttpRequest.newBuilder(uri(id, pathAndQuery)).timeout(Duration.ofSeconds(10)).GET().build());
  }

  HttpResponse<byte[]> put(String id, String pathAndQuery, String body) throws IOException {
    return send(HttpRequest.newBuilder(uri(id, pathAndQuery)).timeout(Duration.ofSeconds(10))
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  HttpResponse<byte[]> delete(String id, String pathAndQuery) throws IOException {
    return send(HttpRequest.newBuilder(uri(id, pathAndQuery)).timeout(Duration.ofSeconds(10))
        .DELETE().build());
  }

  HttpResponse<byte[]> post(String id, String path, String json) throws IOException {
    return send(HttpRequest.newBuilder(uri(id, path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  /** GET {@code path} on node {@code id}, expecting 200, parsed as JSON. */
  JsonNode getJson(String id, String pathAndQuery) throws IOException {
    HttpResponse<byte[]> response = get(id, pathAndQuery);
    if (response.statusCode() != 200) {
      throw new IOException(id + " " + pathAndQuery + " answered " + response.statusCode() + ": "
          + new String(response.body(), StandardCharsets.UTF_8));
    }
    return JSON.readTree(response.body());
  }

  /** This node's own replica of {@code key} via {@code POST /internal/get}: {@code {"found", "record"}}. */
  JsonNode internalGet(String id, String key) throws IOException {
    String body = JSON.createObjectNode().put("key", key).toString();
    HttpResponse<byte[]> response = post(id, "/internal/get", body);
    if (response.statusCode() != 200) {
      throw new IOException(id + " /internal/get " + key + " answered " + response.statusCode() + ": "
          + new String(response.body(), StandardCharsets.UTF_8));
    }
    return JSON.readTree(response.body());
  }

  /** Every node's own copy of a key, one line per node (an error in place of an unreachable one). */
  String internalGetsOfAll(String key) {
    StringBuilder out = new StringBuilder();
    for (String id : ids()) {
      try {
        out.append("\n").append(id).append(": ").append(internalGet(id, key));
      } catch (IOException e) {
        out.append("\n").append(id).append(": ").append(e);
      }
    }
    return out.toString();
  }

  /** The value of a found, live record from {@link #internalGet}, decoded; null if absent or deleted. */
  static String liveValue(JsonNode internalGet) {
    if (!internalGet.path("found").asBoolean(false) || internalGet.path("record").path("deleted").asBoolean()) {
      return null;
    }
    return new String(java.util.Base64.getDecoder().decode(internalGet.path("record").path("value").asText()),
        StandardCharsets.UTF_8);
  }

  /** The last lines of every node's log, headed by the node id: for failure messages. */
  String logTails() {
    StringBuilder tails = new StringBuilder();
    for (String id : ids()) {
      tails.append("\n--- ").append(id).append(" log tail ---\n").append(logTail(id));
    }
    return tails.toString();
  }

  /** A condition that may fail with an I/O error (a node not up yet, a refused connection). */
  @FunctionalInterface
  interface IoCondition {
    boolean holds() throws IOException;
  }

  /** {@code condition} for {@link io.minidynamo.testing.Poll#until}, an I/O error counting as "not yet". */
  static BooleanSupplier io(IoCondition condition) {
    return () -> {
      try {
        return condition.holds();
      } catch (IOException e) {
        return false;
      }
    };
  }

  @Override
  public void close() {
    nodes.close();
  }
}
