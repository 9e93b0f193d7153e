package io.minidynamo.faults;

import io.minidynamo.ClassArchive;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A cluster's node processes, started from the built jar with {@code --id/--config/--data-dir} like
 * {@code scripts/cluster.sh} does, at the addresses a {@link ClusterNetwork} gives them. Data dirs
 * ({@code <dir>/data/<id>}) and logs ({@code <dir>/logs/<id>.log}) live under one directory; a
 * restart reuses the data dir and appends to the log. Every process is signalled by its own pid,
 * never by name. Used by the fault runner and by the integration tests' cluster.
 */
public final class NodeProcesses implements AutoCloseable {
  /** Generous: on a 2-core machine shared with other test suites a JVM has taken over 60 s to come up. */
  public static final Duration START_DEADLINE = Duration.ofSeconds(120);

  private final Path dir;
  private final Path jar;
  private final ClusterNetwork network;
  private final List<String> ids;
  private final List<String> jvmOptions;
  private final HttpClient http;
  private final Map<String, Process> processes = new LinkedHashMap<>();

  /**
   * @param jvmOptions options every launch of every node gets (before its own extra options)
   * @param http the client for health checks
   */
  public NodeProcesses(Path dir, Path jar, ClusterNetwork network, List<String> ids, List<String> jvmOptions,
      HttpClient http) {
    this.dir = dir;
    this.jar = jar;
    this.network = network;
    this.ids = List.copyOf(ids);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.http = http;
  }

  /** Writes nodes.conf: the given replication, 64 partitions, the network's addresses. */
  public Path writeConfig(int n, int r, int w) throws IOException {
    Files.createDirectories(dir.resolve("logs"));
    Files.writeString(configFile(),
        NodesConf.render(n, r, w, ids, network::httpAddress, network::remoteAddress));
    return configFile();
  }

  public Path configFile() {
    return dir.resolve("nodes.conf");
  }

  URI base(String id) {
    return URI.create("http://" + network.httpAddress(id));
  }

  public Path log(String id) {
    return dir.resolve("logs").resolve(id + ".log");
  }

  public Path dataDir(String id) {
    return dir.resolve("data").resolve(id);
  }

  /** The last 40 lines of the node's log (for failure messages). */
  public String logTail(String id) {
    try {
      List<String> lines = Files.readAllLines(log(id), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Starts node {@code id} (its log appended to), with the run's options plus {@code extra}. */
  public synchronized Process launch(String id, List<String> extra) throws IOException {
    List<String> command = new ArrayList<>(network.launchPrefix(id));
    command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(ClassArchive.jvmOptions(jar));
    command.addAll(jvmOptions);
    command.addAll(extra);
    command.addAll(List.of("-jar", jar.toString(), "--id", id, "--config", configFile().toString(),
        "--data-dir", dataDir(id).toString()));
    Files.writeString(log(id), "\n===== " + java.time.Instant.now() + " starting " + id + ": "
        + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile()))
        .start();
    processes.put(id, process);
    return process;
  }

  synchronized Process process(String id) {
    return processes.get(id);
  }

  public void awaitHealthy(String id) throws InterruptedException {
    long end = System.nanoTime() + START_DEADLINE.toNanos();
    while (!healthy(id)) {
      Process process = process(id);
      if (process == null || !process.isAlive()) {
        throw new IllegalStateException(id + " exited during start; log:\n" + logTail(id));
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException(id + " not healthy within " + START_DEADLINE + "; log:\n" + logTail(id));
      }
      Thread.sleep(200);
    }
  }

  public boolean healthy(String id) {
    try {
      HttpRequest request = HttpRequest.newBuilder(base(id).resolve("/health"))
          .timeout(Duration.ofSeconds(2)).GET().build();
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGKILL, and wait until the process is gone. */
  public void kill(String id) throws InterruptedException {
    Process process = process(id);
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(id + " (pid " + process.pid() + ") survived SIGKILL");
    }
  }

  /** SIGKILL every node at once (all signals sent before waiting for any). */
  public void killAll() throws InterruptedException {
    List<Process> live = ids.stream().map(this::process).filter(p -> p != null && p.isAlive()).toList();
    live.forEach(Process::destroyForcibly);
    for (Process process : live) {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("pid " + process.pid() + " survived SIGKILL");
      }
    }
  }

  /**
   * SIGTERM (and SIGCONT, for a paused node), SIGKILL if it has not stopped within 30 s.
   *
   * @return the exit status; -1 if the node was not running
   */
  public int stop(String id) throws IOException, InterruptedException {
    Process process = process(id);
    if (process == null || !process.isAlive()) {
      return -1;
    }
    process.destroy();
    // a paused JVM only acts on SIGTERM once continued; it may be gone already, so quietly
    Shell.quietly(List.of("kill", "-CONT", Long.toString(process.pid())));
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      kill(id);
    }
    return process.exitValue();
  }

  public void pause(String id) throws IOException, InterruptedException {
    signal(id, "-STOP");
  }

  public void resume(String id) throws IOException, InterruptedException {
    signal(id, "-CONT");
  }

  private void signal(String id, String signal) throws IOException, InterruptedException {
    Process process = process(id);
    if (process != null && process.isAlive()) {
      Shell.run(List.of("kill", signal, Long.toString(process.pid())));
    }
  }

  public boolean isAlive(String id) {
    Process process = process(id);
    return process != null && process.isAlive();
  }

  /** SIGKILL every node still running, and wait for each. */
  @Override
  public void close() {
    for (String id : ids) {
      Process process = process(id);
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
        try {
          process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
