package io.minidynamo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.minidynamo.testing.Poll;
import java.io.IOException;
import java.io.OutputStream;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: n3's data dir is a small tmpfs that the test fills. A write that needs n3's
 * acknowledgement (W=3) gets 503, one that does not (W=2) succeeds without it; nothing answers
 * 500 and n3 stays up. Once space is freed n3 acknowledges again, and after a kill -9 of every
 * node every acknowledged write is still there with its value. Needs root (mount); skipped
 * otherwise.
 */
class DiskFullIT {
  /** Larger than a page, so every journal write while full needs a new page and fails. */
  private static final String BIG = "x".repeat(16 * 1024);

  @TempDir Path dir;

  @Test
  void fullDisk_failsOnlyTheWritesThatNeedIt_nodeStaysUp_andRecoversWhenSpaceIsFreed()
      throws Exception {
    LocalCluster cluster = LocalCluster.create(dir, 3, 3, 2, 2);
    Path n3Data = cluster.dataDir("n3");
    Files.createDirectories(n3Data);
    mountTmpfsOrSkip(n3Data, "24m");
    try (cluster) {
      cluster.startAll();
      Map<String, String> acknowledged = new LinkedHashMap<>();
      List<Integer> statuses = new ArrayList<>();

      // precondition: all three replicas acknowledge (the first requests may race the nodes
      // connecting to each other)
      Poll.until(Duration.ofSeconds(60), LocalCluster.io(() ->
              put(cluster, "before", "v0", 3, acknowledged, new ArrayList<>()) == 204),
          () -> "no W=3 write acknowledged before the disk was filled" + cluster.logTails());

      Path filler = n3Data.resolve("filler");
      fill(filler);

      // W=3 needs n3: a missed quorum, answered 503 with a JSON error, and quickly (a failed
      // journal write is a failed acknowledgement, not a timeout)
      for (int i = 0; i < 5; i++) {
        HttpResponse<byte[]> response = cluster.put(
            "n" + (1 + i % 3), "/kv/full-w3-" + i + "?w=3&timeout=5000", BIG + i);
        statuses.add(response.statusCode());
        assertEquals(503, response.statusCode(), body(response));
        JsonNode error = LocalCluster.JSON.readTree(response.body());
        assertEquals("write quorum not reached", error.path("error").asText(), body(response));
      }
      // W=2 does not need n3: acknowledged by n1 and n2
      for (int i = 0; i < 5; i++) {
        assertEquals(204, put(cluster, "full-w2-" + i, BIG + i, 2, acknowledged, statuses));
      }
      assertTrue(cluster.healthy("n3"), "n3 serves while its disk is full");
      assertTrue(cluster.isAlive("n3"));
      JsonNode persist = cluster.getJson("n3", "/debug/persist");
      assertTrue(persist.toString().contains("journal"), persist.toString());

      Files.delete(filler);
      // n3 acknowledges again once it can write (its partitions may be restarting after the failure)
      Poll.until(Duration.ofSeconds(60), LocalCluster.io(() ->
              put(cluster, "after", "v-after", 3, acknowledged, statuses) == 204),
          () -> "n3 never acknowledged again; statuses " + statuses + cluster.logTails());
      for (int i = 0; i < 5; i++) {
        assertEquals(204, put(cluster, "after-" + i, BIG + "after" + i, 3, acknowledged, statuses));
      }
      assertTrue(statuses.stream().noneMatch(s -> s >= 500 && s != 503), "statuses " + statuses);

      // nothing acknowledged was lost, and n3's journal is clean after the episode: kill -9 all
      cluster.killAll();
      cluster.startAll();
      for (Map.Entry<String, String> write : acknowledged.entrySet()) {
        HttpResponse<byte[]> read = cluster.get("n1", "/kv/" + write.getKey() + "?r=2");
        assertEquals(200, read.statusCode(), write.getKey() + ": " + body(read));
        assertEquals(write.getValue(), body(read), write.getKey());
      }
      for (String key : List.of("before", "after", "after-4")) {
        assertEquals(acknowledged.get(key), LocalCluster.liveValue(cluster.internalGet("n3", key)),
            "n3's own replica of " + key + " (acknowledged with W=3)");
      }
    } finally {
      unmount(n3Data);
    }
  }

  private static int put(LocalCluster cluster, String key, String value, int w,
      Map<String, String> acknowledged, List<Integer> statuses) throws IOException {
    HttpResponse<byte[]> response = cluster.put("n1", "/kv/" + key + "?w=" + w + "&timeout=5000", value);
    statuses.add(response.statusCode());
    if (response.statusCode() == 204) {
      acknowledged.put(key, value);
    }
    return response.statusCode();
  }

  private static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /** Writes a file until the file system refuses ("No space left on device"). */
  private static void fill(Path filler) throws IOException {
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(chunk);
        out.flush();
      }
    } catch (IOException expected) {
      if (!String.valueOf(expected.getMessage()).contains("No space left")) {
        throw expected;
      }
    }
  }

  private static void mountTmpfsOrSkip(Path mountPoint, String size) throws Exception {
    Process mount = new ProcessBuilder(
        "mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mountPoint.toString())
        .redirectErrorStream(true).start();
    String output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean mounted = mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0;
    Assumptions.assumeTrue(mounted,
        "skipped: cannot mount a tmpfs (needs root and mount permission): " + output.trim());
  }

  private static void unmount(Path mountPoint) throws Exception {
    Process umount = new ProcessBuilder("umount", mountPoint.toString())
        .redirectErrorStream(true).start();
    String output = new String(umount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!umount.waitFor(30, TimeUnit.SECONDS) || umount.exitValue() != 0) {
      throw new IllegalStateException("umount " + mountPoint + " failed: " + output);
    }
  }
}
