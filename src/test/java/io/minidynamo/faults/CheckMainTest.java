package io.minidynamo.faults;

import static io.minidynamo.faults.History.Outcome.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: lines per check and measurement, summary last, exit codes. */
class CheckMainTest {

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return CheckMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private List<String> outLines() {
    return out.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void run_healthyHistory_exit0_summaryLast_reportWritten() throws Exception {
    Path history = dir.resolve("history.json");
    CheckerTest.healthy().build().write(history);
    Path html = dir.resolve("report.html");
    assertEquals(0, run(history.toString(), html.toString()));
    List<String> lines = outLines();
    assertEquals("5 passed, 0 failed", lines.get(lines.size() - 1));
    assertTrue(lines.get(0).startsWith("PASS convergence \u2014 "), lines.get(0));
    assertEquals(5, lines.stream().filter(l -> l.startsWith("PASS ")).count());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("MEASURE availability outside faults = ")));
    assertTrue(Files.size(html) > 0);
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void run_lostWrite_exit1_failLineWithExample() throws Exception {
    Histories h = Histories.history();
    History.Operation first = h.put("k", "v1", 0, 10, OK);
    History.Operation lost = h.put("k", "v2", 20, 30, OK);
    h.replicas("k", first);
    Path history = dir.resolve("history.json");
    h.build().write(history);
    assertEquals(1, run(history.toString()));
    List<String> lines = outLines();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("FAIL no-lost-acked-write \u2014 ")
        && l.contains("op " + lost.id())), lines.toString());
    assertEquals("4 passed, 1 failed", lines.get(lines.size() - 1));
  }

  @Test
  void run_missingFile_exit2_oneErrorLine() {
    assertEquals(2, run(dir.resolve("nope.json").toString()));
    assertEquals(1, err.toString(StandardCharsets.UTF_8).lines().count());
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("error: no history file at "));
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void run_invalidJson_exit2_oneErrorLine() throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"run\": {\"seed\": 1,");
    assertEquals(2, run(bad.toString()));
    String e = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, e.lines().count(), e);
    assertTrue(e.startsWith("error: cannot read history "), e);
  }

  @Test
  void run_historyMissingSections_exit2() throws Exception {
    Path empty = dir.resolve("empty.json");
    Files.writeString(empty, "{}");
    assertEquals(2, run(empty.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("error: cannot read history "));
  }

  @Test
  void run_noArguments_exit2_usage() {
    assertEquals(2, run());
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage"));
  }
}
