package io.minidynamo.it;

import static io.minidynamo.it.LocalCluster.io;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.minidynamo.testing.Poll;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every node of a 3-node cluster (N=3 R=2 W=2) SIGKILLed at once under write load, then restarted:
 * no acknowledged write is lost or rolled back. And a node restarted from snapshots + journal has
 * exactly the records it had before.
 */
class CrashRecoveryIT {
  private static final int WRITERS = 4;
  private static final int KEYS_PER_WRITER = 25;

  @TempDir Path dir;

  /** What one writer did to one key: the highest sequence number acknowledged (204) and attempted. */
  private static final class KeyLog {
    volatile int lastAcked = -1;
    volatile int lastAttempted = -1;
  }

  @Test
  void kill9_everyNode_underWriteLoad_noAcknowledgedWriteLostOrRolledBack() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(dir, 3, 3, 2, 2)) {
      List<String> ids = cluster.ids();
      Map<String, KeyLog> logs = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger acks = new AtomicInteger();
      AtomicInteger rejected = new AtomicInteger(); // 503 or another non-204 answer
      AtomicInteger ioErrors = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < WRITERS; t++) {
        int writer = t;
        writers.add(pool.submit(() -> {
          // sequential per key: one request at a time per writer, and the writer owns its keys
          for (int i = 0; !stop.get(); i++) {
            String key = "w" + writer + "-k" + (i % KEYS_PER_WRITER);
            KeyLog log = logs.computeIfAbsent(key, k -> new KeyLog());
            int seq = log.lastAttempted + 1;
            log.lastAttempted = seq;
            String via = ids.get((writer + i) % ids.size());
            try {
              HttpResponse<byte[]> put = cluster.put(via, "/kv/" + key + "?timeout=2000", key + "#" + seq);
              if (put.statusCode() == 204) {
                log.lastAcked = seq;
                acks.incrementAndGet();
              } else {
                rejected.incrementAndGet();
              }
            } catch (IOException e) {
              ioErrors.incrementAndGet();
            }
          }
          return null;
        }));
      }

      // load for a while, then SIGKILL all three nodes together while writes are in flight
      Poll.until(Duration.ofSeconds(30), () -> acks.get() >= 300,
          () -> "write load too slow: " + acks + " acks, " + rejected + " rejected" + cluster.logTails());
      Thread.sleep(5_000); // the load's duration before the crash, not a wait for a condition
      int acksAtKill = acks.get();
      cluster.killAll();
      stop.set(true);
      for (Future<?> writer : writers) {
        writer.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      System.out.printf("[CrashRecoveryIT] load: %d acks (%d before the kill), %d rejected, %d I/O errors, %d keys%n",
          acks.get(), acksAtKill, rejected.get(), ioErrors.get(), logs.size());
      assertTrue(acksAtKill >= 300, "too few acknowledged writes to mean anything: " + acksAtKill);

      cluster.startAll();

      // quorum read of every key with all replicas answering
      Map<String, String> readR3 = new LinkedHashMap<>();
      int latestAcked = 0;
      int laterUnacked = 0;
      int neverAckedAbsent = 0;
      for (Map.Entry<String, KeyLog> entry : logs.entrySet()) {
        String key = entry.getKey();
        KeyLog log = entry.getValue();
        String via = ids.get(Math.floorMod(key.hashCode(), ids.size()));
        AtomicReference<HttpResponse<byte[]>> answer = new AtomicReference<>();
        Poll.until(Duration.ofSeconds(20), io(() -> {
              answer.set(cluster.get(via, "/kv/" + key + "?r=3"));
              return answer.get().statusCode() == 200 || answer.get().statusCode() == 404;
            }),
            () -> "GET " + key + "?r=3 via " + via + " did not succeed: "
                + (answer.get() == null ? "no answer" : answer.get().statusCode() + " " + body(answer.get()))
                + cluster.logTails());
        String value = answer.get().statusCode() == 200 ? body(answer.get()) : null;
        int seq = check(key, log, value, "GET ?r=3 via " + via);
        if (seq == -1) {
          neverAckedAbsent++;
        } else if (seq == log.lastAcked) {
          latestAcked++;
        } else {
          laterUnacked++;
        }
        readR3.put(key, value);
      }
      System.out.printf("[CrashRecoveryIT] after restart: %d keys read the last acknowledged value, "
              + "%d a later unacknowledged one, %d never acknowledged and absent%n",
          latestAcked, laterUnacked, neverAckedAbsent);

      // every replica converges to exactly what the r=3 read returned (it saw all three replicas)
      List<String> diverged = new ArrayList<>();
      Poll.until(Duration.ofSeconds(30), io(() -> {
            diverged.clear();
            for (Map.Entry<String, String> entry : readR3.entrySet()) {
              for (String id : ids) {
                String own = LocalCluster.liveValue(cluster.internalGet(id, entry.getKey()));
                if (!java.util.Objects.equals(own, entry.getValue())) {
                  diverged.add(id + ":" + entry.getKey() + "=" + own + " (r=3 read " + entry.getValue() + ")");
                }
              }
            }
            return diverged.isEmpty();
          }),
          () -> diverged.size() + " replicas differ from the r=3 read: "
              + diverged.subList(0, Math.min(10, diverged.size())) + cluster.logTails());
      for (Map.Entry<String, String> entry : readR3.entrySet()) {
        for (String id : ids) {
          check(entry.getKey(), logs.get(entry.getKey()),
              LocalCluster.liveValue(cluster.internalGet(id, entry.getKey())), "/internal/get on " + id);
        }
      }
    }
  }

  /**
   * The sequence number {@code value} carries (-1 for none), failing unless it is the last
   * acknowledged one or a later attempted one.
   */
  private static int check(String key, KeyLog log, String value, String how) {
    if (value == null) {
      if (log.lastAcked >= 0) {
        fail(key + " lost: " + how + " found nothing, but #" + log.lastAcked + " was acknowledged");
      }
      return -1;
    }
    assertTrue(value.startsWith(key + "#"), key + ": foreign value " + value + " (" + how + ")");
    int seq = Integer.parseInt(value.substring(key.length() + 1));
    if (seq < log.lastAcked) {
      fail(key + " rolled back: " + how + " gave #" + seq + ", but #" + log.lastAcked + " was acknowledged");
    }
    if (seq > log.lastAttempted) {
      fail(key + ": " + how + " gave #" + seq + ", never written (last attempt #" + log.lastAttempted + ")");
    }
    return seq;
  }

  @Test
  void restart_fromSnapshotsAndJournal_restoresExactlyTheSameRecords() throws Exception {
    // snapshot-every = 20 events per partition: 2,000 keys over 64 partitions are ~31 writes each,
    // so every partition recovers from a snapshot plus a journal tail
    try (LocalCluster cluster = LocalCluster.start(dir, 3, 3, 2, 2,
        "-Dmini-dynamo.replica.snapshot-every=20")) {
      List<String> ids = cluster.ids();
      int keys = 2000;
      int threads = 16; // concurrent writes share fsyncs (group commit); each key has one writer
      long writeStart = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int writer = t;
        writers.add(pool.submit(() -> {
          for (int i = writer; i < keys; i += threads) {
            String via = ids.get(i % ids.size());
            expect204(cluster.put(via, "/kv/snap-" + i + "?w=3", "value-" + i), "PUT snap-" + i);
            if (i % 7 == 0) { // overwritten
              expect204(cluster.put(via, "/kv/snap-" + i + "?w=3", "second-" + i), "PUT again snap-" + i);
            }
            if (i % 10 == 0) { // deleted: tombstones must survive the restart too
              expect204(cluster.delete(via, "/kv/snap-" + i + "?w=3"), "DELETE snap-" + i);
            }
          }
          return null;
        }));
      }
      for (Future<?> writer : writers) {
        writer.get(120, TimeUnit.SECONDS);
      }
      pool.shutdown();
      System.out.printf("[CrashRecoveryIT] %d keys written with w=3 in %d ms%n",
          keys, (System.nanoTime() - writeStart) / 1_000_000);

      JsonNode persistBefore = cluster.getJson("n1", "/debug/persist");
      assertTrue(persistBefore.path("snapshots").path("saved").asLong() > 0,
          "no snapshot saved with snapshot-every=20: " + persistBefore);
      Map<String, JsonNode> before = records(cluster, "n1", keys);
      for (int i = 0; i < keys; i++) {
        JsonNode record = before.get("snap-" + i);
        assertTrue(record != null && record.path("deleted").asBoolean() == (i % 10 == 0),
            "snap-" + i + " before restart: " + record);
      }

      int exit = cluster.stop("n1");
      assertTrue(exit == 0 || exit == 143, "n1 exit status after SIGTERM: " + exit);
      cluster.start("n1");
      assertSameRecords(cluster, before, keys, "SIGTERM");

      cluster.kill("n1");
      cluster.start("n1");
      assertSameRecords(cluster, before, keys, "kill -9");
    }
  }

  private static void assertSameRecords(LocalCluster cluster, Map<String, JsonNode> before, int keys,
      String how) throws Exception {
    JsonNode persist = cluster.getJson("n1", "/debug/persist");
    System.out.println("[CrashRecoveryIT] /debug/persist on n1 after " + how + " + restart: " + persist);
    JsonNode recovery = persist.path("recovery");
    assertEquals(recovery.path("partitions").asInt(), recovery.path("partitionsRecovered").asInt(),
        "after " + how + ": not every partition recovered: " + recovery);
    assertEquals(keys, recovery.path("records").asLong(), "after " + how + ": records recovered: " + recovery);
    assertTrue(persist.path("snapshots").path("loads").asLong() > 0,
        "after " + how + ": recovery loaded no snapshot: " + persist);
    Map<String, JsonNode> after = records(cluster, "n1", keys);
    List<String> differ = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : before.entrySet()) {
      if (!entry.getValue().equals(after.get(entry.getKey()))) {
        differ.add(entry.getKey() + ": " + entry.getValue() + " -> " + after.get(entry.getKey()));
      }
    }
    assertTrue(differ.isEmpty(), "after " + how + " + restart " + differ.size() + " records differ: "
        + differ.subList(0, Math.min(10, differ.size())) + "\n" + cluster.logTail("n1"));
  }

  /** Every key's record (value, ts, writer, deleted) as {@code id}'s own replica holds it. */
  private static Map<String, JsonNode> records(LocalCluster cluster, String id, int keys) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      Map<String, Future<JsonNode>> pending = new LinkedHashMap<>();
      for (int i = 0; i < keys; i++) {
        String key = "snap-" + i;
        pending.put(key, pool.submit(() -> cluster.internalGet(id, key)));
      }
      Map<String, JsonNode> records = new LinkedHashMap<>();
      for (Map.Entry<String, Future<JsonNode>> entry : pending.entrySet()) {
        JsonNode own = entry.getValue().get(30, TimeUnit.SECONDS);
        records.put(entry.getKey(), own.path("found").asBoolean() ? own.path("record") : null);
      }
      return records;
    } finally {
      pool.shutdown();
    }
  }

  private static void expect204(HttpResponse<byte[]> response, String what) {
    if (response.statusCode() != 204) {
      throw new AssertionError(what + ": " + response.statusCode() + " " + body(response));
    }
  }

  private static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
