package io.minidynamo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.testing.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real 3-node cluster of separate JVMs from the built jar (N=3, R=2, W=2): replication through any
 * node, deletes, a node killed with SIGKILL, and bad input. The tests share one cluster; the one
 * that kills a node runs last and restarts it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  @TempDir static Path dir;
  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() throws IOException {
    cluster = LocalCluster.start(dir, 3, 3, 2, 2);
  }

  @AfterAll
  static void stopCluster() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void put_viaN1_readableViaEveryNode_deleteGives404Everywhere() throws IOException {
    assertEquals(204, cluster.put("n1", "/kv/hello", "world").statusCode());
    for (String id : cluster.ids()) {
      HttpResponse<byte[]> get = cluster.get(id, "/kv/hello");
      assertEquals(200, get.statusCode(), id);
      assertEquals("world", body(get), id);
      assertEquals("application/octet-stream",
          get.headers().firstValue("Content-Type").orElse(""), id);
    }
    assertEquals(204, cluster.delete("n2", "/kv/hello").statusCode());
    for (String id : cluster.ids()) {
      HttpResponse<byte[]> get = cluster.get(id, "/kv/hello");
      assertEquals(404, get.statusCode(), id);
      assertTrue(body(get).contains("\"error\""), id);
    }
  }

  @Test
  @Order(2)
  void put_everyReplicaHoldsTheRecord_internalGet() throws IOException {
    assertEquals(204, cluster.put("n3", "/kv/inspect", "v1").statusCode());
    // W=2: the third replica may still be applying; every replica has it shortly after.
    for (String id : cluster.ids()) {
      Poll.until(Duration.ofSeconds(10),
          () -> internalGet(id, "inspect").contains("\"found\":true"),
          () -> id + " has no copy: " + internalGet(id, "inspect"));
      String json = internalGet(id, "inspect");
      assertTrue(json.contains("\"value\":\"djE=\""), json); // base64("v1")
      assertTrue(json.contains("\"writer_id\":\"n3\""), json);
      assertTrue(json.contains("\"deleted\":false"), json);
    }
  }

  @Test
  @Order(3)
  void sequentialWrites_throughRotatingNodes_neverOrderedBackwards() throws IOException {
    List<String> ids = cluster.ids();
    for (int i = 0; i < 60; i++) {
      String via = ids.get(i % ids.size());
      assertEquals(204, cluster.put(via, "/kv/seq", "v" + i).statusCode());
      String readVia = ids.get((i + 1) % ids.size());
      HttpResponse<byte[]> get = cluster.get(readVia, "/kv/seq");
      assertEquals("v" + i, body(get), "write " + i + " via " + via + ", read via " + readVia);
    }
  }

  @Test
  @Order(4)
  void badInput_getsJson4xx_andNoNodeIsHurt() throws IOException {
    assertEquals(204, cluster.put("n1", "/kv/survivor", "still-here").statusCode());
    String big = "x".repeat(1024 * 1024 + 1);
    record Case(String method, String path, String body, int status) {}
    List<Case> cases = List.of(
        new Case("POST", "/kv/a", "x", 405),
        new Case("PATCH", "/kv/a", "x", 405),
        new Case("GET", "/kv/", null, 400),
        new Case("GET", "/kv", null, 400),
        new Case("GET", "/kv/%ff%fe", null, 400),
        new Case("GET", "/kv/a?r=0", null, 400),
        new Case("GET", "/kv/a?r=4", null, 400),
        new Case("PUT", "/kv/a?w=x", "v", 400),
        new Case("GET", "/kv/a?timeout=-5", null, 400),
        new Case("GET", "/kv/" + "k".repeat(1025), null, 400),
        new Case("PUT", "/kv/big", big, 413),
        new Case("POST", "/internal/get", "not json", 400),
        new Case("POST", "/internal/get", "{\"key\": 5}", 400),
        new Case("POST", "/internal/get", "{}", 400),
        new Case("GET", "/internal/get", null, 405),
        new Case("DELETE", "/health", null, 405),
        new Case("GET", "/no/such/thing", null, 404));
    for (Case c : cases) {
      HttpRequest.BodyPublisher publisher = c.body() == null
          ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofString(c.body());
      HttpResponse<byte[]> response = cluster.send(HttpRequest.newBuilder(cluster.uri("n1", c.path()))
          .method(c.method(), publisher).build());
      String what = c.method() + " " + c.path().substring(0, Math.min(40, c.path().length()));
      assertEquals(c.status(), response.statusCode(), what + ": " + body(response));
      assertTrue(body(response).startsWith("{\"error\""), what + ": " + body(response));
      if (c.status() == 405) {
        assertTrue(response.headers().firstValue("Allow").isPresent(), what + " has no Allow");
      }
    }
    assertEquals(400, rawRequest("GET /kv/%zz HTTP/1.1\r\nHost: x\r\n\r\n").status);
    assertEquals(400, rawRequest("PUT /kv/a HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n").status);
    for (String id : cluster.ids()) {
      assertTrue(cluster.healthy(id), id + " unhealthy after bad input");
      assertEquals("still-here", body(cluster.get(id, "/kv/survivor")), id);
    }
  }

  /**
   * A body that does not come whole with its request (chunked transfer encoding) takes the streamed
   * path, not the one for bodies that arrive whole: stored as sent, and counted against the value
   * limit while it streams.
   */
  @Test
  @Order(4)
  void chunkedBodies_areStoredOrRefusedAsWholeOnes() throws IOException {
    assertEquals(204, rawRequest("PUT /kv/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").status);
    assertEquals("hello world", body(cluster.get("n2", "/kv/chunked")));

    byte[] big = new byte[1024 * 1024 + 1];
    HttpResponse<byte[]> tooBig = cluster.send(HttpRequest.newBuilder(cluster.uri("n1", "/kv/chunked"))
        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
        .build());
    assertEquals(413, tooBig.statusCode(), body(tooBig));
    assertEquals("hello world", body(cluster.get("n3", "/kv/chunked")));
  }

  @Test
  @Order(5)
  void metrics_prometheusText_countersMoveWithTraffic() throws IOException {
    double before = requestCount(scrape("n2"), "put", "ok");
    assertEquals(204, cluster.put("n2", "/kv/metered", "m").statusCode());
    assertEquals(204, cluster.put("n2", "/kv/metered", "m2").statusCode());
    String text = scrape("n2");
    assertEquals(before + 2, requestCount(text, "put", "ok"), 0.0);
    java.util.regex.Pattern sample = java.util.regex.Pattern.compile(
        "^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*\\})? (-?[0-9.eE+-]+|[+-]Inf|NaN)$");
    for (String line : text.lines().toList()) {
      assertTrue(line.isEmpty() || line.startsWith("#") || sample.matcher(line).matches(),
          "not Prometheus text: " + line);
    }
    for (String name : List.of("minidynamo_journal_fsyncs_total", "minidynamo_hints_pending",
        "minidynamo_peer_reachable", "minidynamo_recovery_millis", "minidynamo_read_repairs_total")) {
      assertTrue(text.contains(name), name + " missing");
    }
  }

  private String scrape(String id) throws IOException {
    HttpResponse<byte[]> response = cluster.get(id, "/metrics");
    assertEquals(200, response.statusCode());
    return body(response);
  }

  private static double requestCount(String text, String op, String outcome) {
    String prefix = "minidynamo_requests_seconds_count{op=\"" + op + "\",outcome=\"" + outcome + "\"} ";
    return text.lines().filter(line -> line.startsWith(prefix))
        .mapToDouble(line -> Double.parseDouble(line.substring(prefix.length())))
        .findFirst().orElse(0);
  }

  @Test
  @Order(6)
  void quorumOverrides_unreachableQuorumIs503WithCounts() throws IOException {
    // all three replicas up: w=3 and r=3 succeed
    assertEquals(204, cluster.put("n1", "/kv/all?w=3", "three").statusCode());
    assertEquals("three", body(cluster.get("n2", "/kv/all?r=3")));
  }

  @Test
  @Order(7)
  void kill9_oneNode_quorumWritesAndReadsContinue_andTheNodeComesBack()
      throws IOException, InterruptedException {
    cluster.kill("n2");
    for (int i = 0; i < 20; i++) {
      String via = i % 2 == 0 ? "n1" : "n3";
      assertEquals(204, cluster.put(via, "/kv/down-" + i, "d" + i).statusCode(), "put " + i);
    }
    for (int i = 0; i < 20; i++) {
      String via = i % 2 == 0 ? "n3" : "n1";
      assertEquals("d" + i, body(cluster.get(via, "/kv/down-" + i)), "get " + i);
    }
    HttpResponse<byte[]> all = cluster.put("n1", "/kv/needs-three?w=3&timeout=500", "x");
    assertEquals(503, all.statusCode());
    assertEquals("{\"error\":\"write quorum not reached\",\"acks\":2,\"required\":3}", body(all));
    HttpResponse<byte[]> read3 = cluster.get("n3", "/kv/down-0?r=3&timeout=500");
    assertEquals(503, read3.statusCode());
    assertEquals("{\"error\":\"read quorum not reached\",\"replies\":2,\"required\":3}", body(read3));

    cluster.start("n2");
    for (int i = 0; i < 20; i++) {
      assertEquals("d" + i, body(cluster.get("n2", "/kv/down-" + i)), "get via restarted n2 " + i);
    }
    assertEquals(204, cluster.put("n2", "/kv/after-restart?w=3", "back").statusCode());
  }

  private String internalGet(String id, String key) {
    try {
      return body(cluster.post(id, "/internal/get", "{\"key\":\"" + key + "\"}"));
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }

  private static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private record RawResponse(int status, String text) {}

  /** Sends bytes no HTTP client library would, and reads the status line of the answer. */
  private static RawResponse rawRequest(String request) throws IOException {
    int port = cluster.uri("n1", "/").getPort();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String text = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
      return new RawResponse(Integer.parseInt(text.substring(9, 12)), text);
    }
  }
}
