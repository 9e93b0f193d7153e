package io.minidynamo.it;

import static io.minidynamo.it.LocalCluster.io;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.minidynamo.ring.Ring;
import io.minidynamo.testing.Poll;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sloppy quorum on 5 real nodes (N=3 R=2 W=2): with one node down, writes for the keys it is a
 * primary of are stored by a fallback node (a non-primary) with a hint, and the hints bring the
 * node every such key once it is back. Anti-entropy is off, so only hinted handoff can deliver.
 */
class SloppyQuorumIT {
  private static final int KEYS = 200;
  private static final String DEAD = "n3";
  private static final String VIA = "n1";

  @TempDir Path dir;

  @Test
  void oneNodeDown_fallbacksHoldHints_andDeliverEveryKeyWhenItIsBack() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(dir, 5, 3, 2, 2,
        "-Dmini-dynamo.anti-entropy.enabled=off")) {
      Ring ring = Ring.create(cluster.ids(), 64, 3);
      assertRingMatchesTheNodes(cluster, ring);

      cluster.kill(DEAD);
      // which keys the dead node is a primary of, and which live node the ring names as fallback
      List<String> ofDead = new ArrayList<>();
      Map<String, Integer> expectedHints = new TreeMap<>();
      for (int i = 0; i < KEYS; i++) {
        String key = "sq-" + i;
        int partition = ring.partitionOf(key);
        if (ring.primaries(partition).contains(DEAD)) {
          ofDead.add(key);
          expectedHints.merge(ring.fallbacks(partition).get(0), 1, Integer::sum);
        }
      }
      assertTrue(ofDead.size() > 20, "too few keys on " + DEAD + " to mean anything: " + ofDead.size());

      for (int i = 0; i < KEYS; i++) {
        HttpResponse<byte[]> put = cluster.put(VIA, "/kv/sq-" + i, "v" + i);
        assertEquals(204, put.statusCode(), "PUT sq-" + i + " with " + DEAD + " down: " + body(put));
      }

      // every missed write ends up as a hint for the dead node somewhere (after replica-timeout)
      Map<String, Long> held = new TreeMap<>();
      Poll.until(Duration.ofSeconds(15), io(() -> {
            held.clear();
            for (String id : live(cluster)) {
              held.put(id, cluster.getJson(id, "/debug/hints").path("targets").path(DEAD).asLong());
            }
            return held.values().stream().mapToLong(Long::longValue).sum() >= ofDead.size();
          }),
          () -> "hints for " + DEAD + " per node " + held + ", expected at least " + ofDead.size()
              + " in all (the ring's first fallbacks: " + expectedHints + ")" + cluster.logTails());
      System.out.printf("[SloppyQuorumIT] %d of %d keys have %s as a primary; hints for it per node %s; "
          + "the ring's first fallbacks %s%n", ofDead.size(), KEYS, DEAD, held, expectedHints);
      long total = held.values().stream().mapToLong(Long::longValue).sum();
      assertEquals(ofDead.size(), total, "one hint per missed write expected; per node: " + held);
      long awayFromCoordinator = total - held.getOrDefault(VIA, 0L);
      assertTrue(awayFromCoordinator > 0,
          "every hint is on the coordinator " + VIA + ", none on a fallback node: " + held);
      for (Map.Entry<String, Long> entry : held.entrySet()) {
        assertEquals(expectedHints.getOrDefault(entry.getKey(), 0).longValue(), entry.getValue().longValue(),
            "hints on " + entry.getKey() + " are not where the ring puts the first fallback: held " + held
                + ", ring " + expectedHints);
      }
      // (the fallback keeps the record in its hint store, not as a replica: its /internal/get,
      // "this node's own replica", does not show it, so it is not asserted here)

      cluster.start(DEAD);
      Poll.until(Duration.ofSeconds(30), io(() -> {
            for (String id : cluster.ids()) {
              if (cluster.getJson(id, "/debug/hints").path("count").asLong() != 0) {
                return false;
              }
            }
            return true;
          }),
          () -> "hints did not drain: " + hintsAll(cluster) + cluster.logTails());

      List<String> missing = new ArrayList<>();
      for (String key : ofDead) {
        String expected = "v" + key.substring("sq-".length());
        if (!expected.equals(LocalCluster.liveValue(cluster.internalGet(DEAD, key)))) {
          missing.add(key);
        }
      }
      assertTrue(missing.isEmpty(), DEAD + " lacks " + missing.size() + " of its " + ofDead.size()
          + " keys after the hints drained: " + missing + hintsAll(cluster) + "\n" + cluster.logTail(DEAD));
      // and the keys it is no primary of were not handed to it
      for (int i = 0; i < KEYS; i++) {
        String key = "sq-" + i;
        if (!ofDead.contains(key)) {
          JsonNode own = cluster.internalGet(DEAD, key);
          assertTrue(!own.path("found").asBoolean(), DEAD + " is no primary of " + key + " but holds " + own);
        }
      }
    }
  }

  /**
   * DESIGN.md, Semantics, Read: "ask the N primaries (fallbacks for failed ones), answer after R
   * replies". With one primary down, a fallback holds the record (with its hint), so a read with
   * r=3 can still be answered. GetCoordinator only ever asks the N primaries, so this is a 503.
   */
  @Test
  void onePrimaryDown_readWithR3_isAnsweredWithTheFallbacksCopy(@TempDir Path own) throws Exception {
    try (LocalCluster cluster = LocalCluster.start(own, 5, 3, 2, 2)) {
      Ring ring = Ring.create(cluster.ids(), 64, 3);
      String key = null;
      for (int i = 0; key == null; i++) {
        if (ring.primaries(ring.partitionOf("rf-" + i)).contains(DEAD)) {
          key = "rf-" + i;
        }
      }
      cluster.kill(DEAD);
      assertEquals(204, cluster.put(VIA, "/kv/" + key, "written-while-down").statusCode());
      String k = key;
      Poll.until(Duration.ofSeconds(10), io(() ->
              cluster.getJson(ring.fallbacks(ring.partitionOf(k)).get(0), "/debug/hints")
                  .path("targets").path(DEAD).asLong() > 0),
          () -> "no hint on the fallback" + hintsAll(cluster));
      HttpResponse<byte[]> get = cluster.get(VIA, "/kv/" + key + "?r=3&timeout=3000");
      assertEquals(200, get.statusCode(), "GET " + key + "?r=3 with primary " + DEAD + " down: " + body(get));
      assertEquals("written-while-down", body(get));
    }
  }

  /** The test's own ring (from the main code) must be the one the nodes use. */
  private static void assertRingMatchesTheNodes(LocalCluster cluster, Ring ring) throws IOException {
    JsonNode partitions = cluster.getJson("n1", "/debug/ring").path("partitions");
    assertEquals(ring.size(), partitions.size(), "ring size");
    for (JsonNode partition : partitions) {
      int p = partition.path("partition").asInt();
      List<String> list = new ArrayList<>();
      partition.path("preference_list").forEach(node -> list.add(node.asText()));
      assertEquals(ring.preferenceList(p), list, "preference list of partition " + p);
    }
  }

  private static List<String> live(LocalCluster cluster) {
    return cluster.ids().stream().filter(cluster::isAlive).toList();
  }

  private static String hintsAll(LocalCluster cluster) {
    StringBuilder out = new StringBuilder();
    for (String id : cluster.ids()) {
      try {
        out.append("\n").append(body(cluster.get(id, "/debug/hints")));
      } catch (IOException e) {
        out.append("\n").append(id).append(": ").append(e);
      }
    }
    return out.toString();
  }

  private static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
