package io.minidynamo.faults;

import io.minidynamo.faults.History.OpKind;
import io.minidynamo.faults.History.Outcome;
import io.minidynamo.faults.History.WorkerKind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The clients: concurrent workers, each one thread issuing one request at a time to a node it picks
 * at random, recording every request with its timing and outcome.
 *
 * <ul>
 *   <li>SEQUENTIAL workers own disjoint key sets and PUT or GET them.
 *   <li>CONTENDED workers PUT and GET a few keys they all share (LWW decides among them).
 *   <li>DELETERs PUT, DELETE and GET their own keys.
 * </ul>
 *
 * Every value written is {@code w<worker>-<n>}: unique in the run, so a value read names its write.
 * Each worker's choices come from its own {@link Random} seeded from the run's seed.
 */
final class Workload {
  static final int SEQUENTIAL_WORKERS = 3;
  static final int CONTENDED_WORKERS = 2;
  static final int DELETERS = 2;
  static final int KEYS_PER_WORKER = 6;
  static final int SHARED_KEYS = 4;
  /** Pause between two requests of one worker: keeps the load moderate (tens of requests/s). */
  static final Duration THINK = Duration.ofMillis(40);
  /** A little above the node's request-timeout (2 s), so the node answers 503 before we give up. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

  private final Recorder recorder;
  private final HttpClient http;
  private final List<String> nodes;
  private final java.util.function.Function<String, URI> base;
  private final long seed;
  private final List<Thread> threads = new ArrayList<>();
  private final Set<String> keysWritten = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean running;

  Workload(Recorder recorder, HttpClient http, List<String> nodes,
      java.util.function.Function<String, URI> base, long seed) {
    this.recorder = recorder;
    this.http = http;
    this.nodes = List.copyOf(nodes);
    this.base = base;
    this.seed = seed;
  }

  void start() {
    running = true;
    Random seeds = new Random(seed ^ 0x5DEECE66DL);
    int worker = 0;
    for (int i = 0; i < SEQUENTIAL_WORKERS; i++) {
      worker++;
      startWorker(worker, WorkerKind.SEQUENTIAL, ownKeys("s", worker), seeds.nextLong());
    }
    List<String> shared = new ArrayList<>();
    for (int k = 0; k < SHARED_KEYS; k++) {
      shared.add("shared-k" + k);
    }
    for (int i = 0; i < CONTENDED_WORKERS; i++) {
      worker++;
      startWorker(worker, WorkerKind.CONTENDED, shared, seeds.nextLong());
    }
    for (int i = 0; i < DELETERS; i++) {
      worker++;
      startWorker(worker, WorkerKind.DELETER, ownKeys("d", worker), seeds.nextLong());
    }
  }

  private static List<String> ownKeys(String kind, int worker) {
    List<String> keys = new ArrayList<>();
    for (int k = 0; k < KEYS_PER_WORKER; k++) {
      keys.add(kind + worker + "-k" + k);
    }
    return keys;
  }

  private void startWorker(int worker, WorkerKind kind, List<String> keys, long workerSeed) {
    Thread thread = new Thread(() -> runWorker(worker, kind, keys, new Random(workerSeed)),
        "faults-worker-" + worker);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  /** Stops every worker after its request in flight, and waits for them. */
  void stop() throws InterruptedException {
    running = false;
    for (Thread thread : threads) {
      thread.join(REQUEST_TIMEOUT.toMillis() * 3);
    }
  }

  /** Every key a PUT or DELETE was attempted on. */
  Set<String> keysWritten() {
    return new LinkedHashSet<>(keysWritten);
  }

  private void runWorker(int worker, WorkerKind kind, List<String> keys, Random random) {
    long written = 0;
    while (running) {
      String key = keys.get(random.nextInt(keys.size()));
      String node = nodes.get(random.nextInt(nodes.size()));
      double dice = random.nextDouble();
      OpKind op = switch (kind) {
        case SEQUENTIAL, CONTENDED -> dice < 0.7 ? OpKind.PUT : OpKind.GET;
        case DELETER -> dice < 0.4 ? OpKind.PUT : dice < 0.7 ? OpKind.DELETE : OpKind.GET;
      };
      String value = op == OpKind.PUT ? "w" + worker + "-" + (++written) : null;
      if (op != OpKind.GET) {
        keysWritten.add(key);
      }
      recorder.record(request(worker, kind, op, key, value, node));
      try {
        Thread.sleep(THINK.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private History.Operation request(
      int worker, WorkerKind kind, OpKind op, String key, String value, String node) {
    URI uri = base.apply(node).resolve("/kv/" + key);
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
    switch (op) {
      case PUT -> builder.PUT(HttpRequest.BodyPublishers.ofString(value, StandardCharsets.UTF_8));
      case DELETE -> builder.DELETE();
      case GET -> builder.GET();
    }
    long id = recorder.nextOperationId();
    long start = recorder.nowMicros();
    try {
      HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
      long end = recorder.nowMicros();
      int status = response.statusCode();
      Outcome outcome = outcome(op, status);
      String seen = value;
      if (op == OpKind.GET) {
        seen = status == 200 ? new String(response.body(), StandardCharsets.UTF_8) : null;
      }
      String error = outcome == Outcome.OK ? null
          : "HTTP " + status + ": " + abbreviate(new String(response.body(), StandardCharsets.UTF_8));
      return new History.Operation(id, worker, kind, op, key, seen, node, start, end, outcome, status, error);
    } catch (IOException e) {
      long end = recorder.nowMicros();
      // refused or never connected: the request was never sent, so it certainly was not applied
      Outcome outcome = e instanceof ConnectException || e instanceof HttpConnectTimeoutException
          ? Outcome.FAILED
          : Outcome.UNKNOWN;
      String error = (e instanceof HttpTimeoutException ? "timeout: " : "")
          + e.getClass().getSimpleName() + ": " + e.getMessage();
      return new History.Operation(id, worker, kind, op, key, op == OpKind.PUT ? value : null, node,
          start, end, outcome, 0, error);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      long end = recorder.nowMicros();
      return new History.Operation(id, worker, kind, op, key, op == OpKind.PUT ? value : null, node,
          start, end, Outcome.UNKNOWN, 0, "interrupted");
    }
  }

  /** 2xx and a GET's 404 are answers; other 4xx are refusals before coordinating; 5xx may have applied. */
  static Outcome outcome(OpKind op, int status) {
    if (status >= 200 && status < 300) {
      return Outcome.OK;
    }
    if (status == 404 && op == OpKind.GET) {
      return Outcome.OK;
    }
    if (status >= 400 && status < 500) {
      return Outcome.FAILED;
    }
    return Outcome.UNKNOWN;
  }

  private static String abbreviate(String text) {
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
