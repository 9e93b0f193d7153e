package io.minidynamo;

import io.minidynamo.config.CommandLine;
import io.minidynamo.faults.FreePorts;
import io.minidynamo.faults.NodesConf;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * The node's class-data-sharing archive: the classes a node loads while it starts and serves,
 * parsed and laid out once, so that a start maps them instead of loading them from the jar. It
 * roughly halves the time from launch to a healthy node (5.6-6.1 s to 3.1 s on a 2-core machine),
 * and with it how long a restarted node is away (docs/benchmarks.md, session 10).
 *
 * <p>The build writes {@code mini-dynamo.jsa} beside {@code mini-dynamo.jar} by running this
 * class's {@link #main} under {@code -XX:ArchiveClassesAtExit}: it starts a two-node cluster in
 * this JVM on free loopback ports, sends it the requests clients and peers send, and exits, which
 * is when the JVM writes the archive. Every launcher then adds {@link #jvmOptions} to a node's
 * command. The archive is only an accelerator: the JVM checks it against the jar it was made
 * from, and a node started without it, or with one that does not match, starts as before.
 */
public final class ClassArchive {
  private ClassArchive() {}

  /** Where the archive of {@code jar} is: beside it, {@code .jar} replaced by {@code .jsa}. */
  public static Path archiveOf(Path jar) {
    String name = jar.getFileName().toString();
    String base = name.endsWith(".jar") ? name.substring(0, name.length() - 4) : name;
    return jar.resolveSibling(base + ".jsa");
  }

  /**
   * The JVM options that start a node from {@code jar} with its archive, or none when there is no
   * archive or it is older than the jar (a jar rebuilt without one).
   */
  public static List<String> jvmOptions(Path jar) {
    Path archive = archiveOf(jar);
    try {
      if (Files.isRegularFile(archive)
          && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) >= 0) {
        return List.of("-XX:SharedArchiveFile=" + archive);
      }
    } catch (IOException e) {
      // unreadable: start without it
    }
    return List.of();
  }

  /**
   * The training run; see the class comment. {@code args[0]} is the directory for the nodes' data
   * (created; scripts/class-archive.sh passes a new temporary one). Always exits 0: see the catch.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: ClassArchive <data dir>");
      System.exit(2);
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    List<String> ids = List.of("n1", "n2");
    List<Integer> ports = FreePorts.take(2 * ids.size());
    Function<String, String> http = id -> "127.0.0.1:" + ports.get(ids.indexOf(id));
    Function<String, String> remote = id -> "127.0.0.1:" + ports.get(ids.size() + ids.indexOf(id));
    Path nodesConf = Files.writeString(dir.resolve("nodes.conf"), NodesConf.render(2, 2, 2, ids, http, remote));
    try {
      for (String id : ids) {
        Main.start(Main.prepare(CommandLine.parse(
            "--id", id, "--config", nodesConf.toString(), "--data-dir", dir.resolve(id).toString())));
      }
      exercise("http://" + http.apply("n1"));
    } catch (Exception e) {
      // the archive only speeds starts up: it then holds the classes loaded so far, and the build
      // goes on (the tests find out what is wrong with the node)
      System.err.println("mini-dynamo: class archive training incomplete: " + e);
    } finally {
      // the JVM writes the archive as it exits; the shutdown hook stops both nodes first
      System.exit(0);
    }
  }

  /** The requests of a client's session, good and bad, once the node answers them. */
  private static void exercise(String base) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    // a write needs both nodes' replicas: answered once the cluster is up
    while (status(client, "PUT", base + "/kv/ready-probe", "ready") / 100 != 2) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the training cluster did not take a write within 120 s");
      }
      Thread.sleep(100);
    }
    for (int round = 0; round < 3; round++) {
      for (int key = 0; key < 10; key++) {
        String url = base + "/kv/key-" + key;
        expect(client, "PUT", url, "value-" + round, 200, 201, 204);
        expect(client, "GET", url, null, 200);
      }
      expect(client, "DELETE", base + "/kv/key-" + round, null, 200, 202, 204);
      expect(client, "GET", base + "/kv/key-" + round, null, 404);
    }
    expect(client, "PUT", base + "/kv/", "no key", 400, 404, 405);
    for (String path : List.of("/health", "/metrics", "/debug/ring", "/debug/hints", "/debug/persist", "/debug/ae")) {
      expect(client, "GET", base + path, null, 200);
    }
  }

  private static void expect(HttpClient client, String method, String url, String body, int... statuses)
      throws IOException, InterruptedException {
    int status = status(client, method, url, body);
    for (int ok : statuses) {
      if (status == ok) {
        return;
      }
    }
    throw new IllegalStateException(method + " " + url + " answered " + status);
  }

  private static int status(HttpClient client, String method, String url, String body)
      throws InterruptedException {
    HttpRequest.BodyPublisher publisher =
        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(10)).method(method, publisher).build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }
}
