package io.minidynamo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real node processes at start and stop: bad configuration, graceful SIGTERM. */
class StartupIT {
  @TempDir Path dir;

  @Test
  void invalidConfig_stopsTheNodeWithOneClearLine() throws Exception {
    record Case(String config, String args, String expected) {}
    String nodes = "nodes = [ { id = \"n1\", http = \"127.0.0.1:19001\", remote = \"127.0.0.1:19101\" } ]";
    List<Case> cases = List.of(
        new Case("mini-dynamo { n = 1, r = 2, w = 1, ring-size = 8, " + nodes + " }", "n1", "r = 2"),
        new Case("mini-dynamo { n = 2, r = 1, w = 1, ring-size = 8, " + nodes + " }", "n1", "n = 2"),
        new Case("mini-dynamo { n = 1, r = 1, w = 1, ring-size = 6, " + nodes + " }", "n1", "ring-size"),
        new Case("mini-dynamo { n = 1, r = 1, w = 1, ring-size = 8, " + nodes + " }", "n9", "unknown --id"),
        new Case("mini-dynamo { n = 1, r = 1, w = 1, ring-size = 8, nodes = ["
            + "{ id = \"n1\", http = \"127.0.0.1:19001\", remote = \"127.0.0.1:19101\" },"
            + "{ id = \"n1\", http = \"127.0.0.1:19002\", remote = \"127.0.0.1:19102\" } ] }",
            "n1", "duplicate node id"));
    for (Case c : cases) {
      Path config = dir.resolve("nodes-" + c.expected().hashCode() + ".conf");
      Files.writeString(config, c.config());
      Result result = run("--id", c.args(), "--config", config.toString(),
          "--data-dir", dir.resolve("data").toString());
      assertEquals(2, result.exit(), c.expected() + ": " + result.output());
      List<String> lines = result.output().lines().filter(line -> !line.isBlank()).toList();
      assertEquals(1, lines.size(), "one line expected: " + result.output());
      assertTrue(lines.get(0).contains(c.expected()), lines.get(0));
    }
  }

  @Test
  void sigterm_shutsTheNodeDownGracefully() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(dir, 1, 1, 1, 1)) {
      assertEquals(204, cluster.put("n1", "/kv/k", "v").statusCode());
      int exit = cluster.stop("n1");
      assertTrue(exit == 0 || exit == 143, "exit status " + exit);
      assertTrue(Files.readString(cluster.log("n1")).contains("CoordinatedShutdown")
          || Files.readString(cluster.log("n1")).contains("shutting down"),
          "no sign of a coordinated shutdown in the log:\n" + cluster.logTail("n1"));
    }
  }

  private record Result(int exit, String output) {}

  private static Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-jar",
        Path.of(System.getProperty("minidynamo.jar", "target/mini-dynamo.jar")).toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("node did not stop on a bad config");
    }
    return new Result(process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
