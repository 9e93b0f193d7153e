package io.minidynamo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.testing.Poll;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/cluster.sh}, the local operation script the README and the failure demos use,
 * driving real nodes: up, status, kill -9, start, pause/resume, restart, down. Nodes run on free
 * loopback ports from a generated config, with state under a temporary directory.
 */
class ClusterScriptIT {
  @TempDir Path dir;
  private LocalCluster cluster;

  @AfterEach
  void down() throws Exception {
    if (cluster != null) {
      script("down");
    }
  }

  @Test
  void script_upStatusKillStartPauseResumeRestartDown_driveRealNodes() throws Exception {
    cluster = LocalCluster.create(dir, 3, 3, 2, 2);
    Result up = script("up");
    assertEquals(0, up.exit(), up.output());
    for (String id : cluster.ids()) {
      assertTrue(cluster.healthy(id), id + " not healthy after up:\n" + up.output());
    }
    assertEquals(204, cluster.put("n1", "/kv/script", "ok").statusCode());

    Result status = script("status");
    assertEquals(0, status.exit(), status.output());
    for (String id : cluster.ids()) {
      assertTrue(status.output().contains(id), status.output());
    }

    assertEquals(0, script("kill", "n2").exit());
    Poll.until(Duration.ofSeconds(10), () -> !cluster.healthy("n2"), () -> "n2 still answers");
    assertEquals(204, cluster.put("n1", "/kv/script", "while-n2-down").statusCode());
    assertEquals(0, script("start", "n2").exit());
    assertTrue(cluster.healthy("n2"));

    assertEquals(0, script("pause", "n3").exit());
    assertFalse(cluster.healthy("n3"), "a paused node must not answer");
    assertEquals(0, script("resume", "n3").exit());
    Poll.until(Duration.ofSeconds(10), () -> cluster.healthy("n3"), () -> "n3 not back");

    assertEquals(0, script("restart", "n1").exit());
    assertTrue(cluster.healthy("n1"));
    assertEquals("while-n2-down",
        new String(cluster.get("n1", "/kv/script").body(), StandardCharsets.UTF_8));

    Result down = script("down");
    assertEquals(0, down.exit(), down.output());
    for (String id : cluster.ids()) {
      assertFalse(cluster.healthy(id), id + " still answers after down");
    }
    try (var pids = Files.list(dir.resolve("run").resolve("pids"))) {
      assertEquals(List.of(), pids.toList(), "pid files left after down");
    }
    cluster = null;
  }

  private record Result(int exit, String output) {}

  private Result script(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("bash", "scripts/cluster.sh"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("CONFIG", cluster.configFile().toString());
    env.put("RUN_DIR", dir.resolve("run").toString());
    env.put("DATA_ROOT", dir.resolve("data").toString());
    env.put("JAR", Path.of(System.getProperty("minidynamo.jar", "target/mini-dynamo.jar")).toString());
    env.put("JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("cluster.sh " + String.join(" ", args) + " did not finish");
    }
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
