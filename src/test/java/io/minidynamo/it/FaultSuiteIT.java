package io.minidynamo.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The fault-injection suite as CI runs it: {@code FaultRunner} as its own process from the built
 * jar, exactly as {@code scripts/faults.sh} runs it. The short mode must pass with a fixed seed and
 * with a random one (printed for replay); the self-test must fail with the deliberately broken
 * {@code mini-dynamo.test.unsafe-skip-persist = on}, the lost-write check among the failures, and
 * pass with the same schedule without it. As root the nodes live in network namespaces and
 * partitions are real; otherwise the runner says it fell back to loopback.
 */
class FaultSuiteIT {
  private static final Pattern SUMMARY = Pattern.compile("^(\\d+) passed, (\\d+) failed$", Pattern.MULTILINE);
  private static final long RUN_DEADLINE_MINUTES = 8;

  /** What one runner process printed, and its exit status. */
  private record Run(int exitStatus, String output, int passed, int failed, Path out) {
    String explain() {
      return "exit " + exitStatus + ", output:\n" + output;
    }
  }

  private static Run runner(String name, String... args) throws IOException, InterruptedException {
    Path out = Path.of("target", "faults-it", name).toAbsolutePath();
    Files.createDirectories(out);
    Path log = out.resolve("runner.out");
    String jar = System.getProperty("minidynamo.jar", "target/mini-dynamo.jar");
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", jar, "io.minidynamo.faults.FaultRunner", "--out", out.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!process.waitFor(RUN_DEADLINE_MINUTES, TimeUnit.MINUTES)) {
      process.destroy(); // SIGTERM: the runner's shutdown hooks stop its nodes and namespaces
      process.waitFor(60, TimeUnit.SECONDS);
      throw new AssertionError(name + ": runner did not finish within " + RUN_DEADLINE_MINUTES
          + " minutes; output:\n" + Files.readString(log, StandardCharsets.UTF_8));
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println("---- FaultRunner " + String.join(" ", args) + " ----\n" + output);
    Matcher summary = SUMMARY.matcher(output);
    int passed = -1;
    int failed = -1;
    while (summary.find()) {
      passed = Integer.parseInt(summary.group(1));
      failed = Integer.parseInt(summary.group(2));
    }
    return new Run(process.exitValue(), output, passed, failed, out);
  }

  private static void assertPassed(Run run) {
    assertEquals(0, run.exitStatus(), run.explain());
    assertTrue(run.passed() > 0, "no summary line with passed checks: " + run.explain());
    assertEquals(0, run.failed(), run.explain());
    assertTrue(Files.isRegularFile(run.out().resolve("history.json")), "no history.json");
    String lines = run.output().strip();
    assertTrue(lines.endsWith(run.passed() + " passed, 0 failed"), "summary line is not last: " + run.explain());
  }

  @Test
  void shortMode_fixedSeed_passes() throws Exception {
    assertPassed(runner("short-42", "--mode", "short", "--seed", "42"));
  }

  @Test
  void shortMode_randomSeed_passes() throws Exception {
    long seed = new SecureRandom().nextLong() & 0xffffffffL;
    System.out.println("FaultSuiteIT random seed " + seed + "; replay: scripts/faults.sh --mode short --seed " + seed);
    assertPassed(runner("short-random", "--mode", "short", "--seed", Long.toString(seed)));
  }

  @Test
  void selfTest_brokenPersistence_failsTheLostWriteCheck() throws Exception {
    Run run = runner("selftest-broken", "--mode", "selftest", "--seed", "5",
        "--setting", "mini-dynamo.test.unsafe-skip-persist=on");
    assertEquals(1, run.exitStatus(), run.explain());
    assertTrue(run.failed() > 0, run.explain());
    assertTrue(run.output().contains("FAIL no-lost-acked-write"), "lost-write check did not fail: " + run.explain());
  }

  @Test
  void selfTest_sameScheduleWithPersistence_passes() throws Exception {
    assertPassed(runner("selftest-healthy", "--mode", "selftest", "--seed", "5"));
  }
}
