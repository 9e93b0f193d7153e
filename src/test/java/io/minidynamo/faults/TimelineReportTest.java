package io.minidynamo.faults;

import static io.minidynamo.faults.History.Outcome.FAILED;
import static io.minidynamo.faults.History.Outcome.OK;
import static io.minidynamo.faults.History.Outcome.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML timeline: self-contained, shows faults and checks, small for long runs. */
class TimelineReportTest {

  @TempDir Path dir;

  @Test
  void write_smallRun_selfContainedWithFaultsChecksAndMetadata() throws Exception {
    Histories h = CheckerTest.healthy();
    h.fault("partition-halves", List.of("n1", "n2", "n3"), "n1 | n2,n3 <odd & name>", 5, 25);
    h.fault("clock-skew", List.of("n2"), "+5000ms on n2", 30, 40);
    h.setting("test.ack-before-journal", "true");
    History history = h.build();
    CheckReport report = Checker.check(history);
    Path file = dir.resolve("report.html");
    TimelineReport.write(history, report, file);

    String html = Files.readString(file);
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    for (CheckResult c : report.checks()) {
      assertTrue(html.contains("<td>" + c.name() + "</td>"), c.name());
    }
    assertTrue(html.contains(report.summaryLine()));
    assertTrue(html.contains("n1 | n2,n3 &lt;odd &amp; name&gt;"), "fault description, escaped");
    assertTrue(html.contains("+5000ms on n2"));
    assertTrue(html.contains("test.ack-before-journal"));
    assertTrue(html.contains("seed 42"));
    assertFalse(html.contains("<script src"), "no external script");
    assertFalse(html.contains("http-equiv"));
    assertFalse(html.matches("(?s).*(src|href)=\"https?:.*"), "nothing fetched from the network");
    JsonNode data = embedded(html);
    assertEquals(2, data.get("faults").size());
    assertEquals("partition-halves", data.get("faults").get(0).get("kind").asText());
    assertEquals(5, data.get("faults").get(0).get("s").asLong());
    assertEquals(25, data.get("faults").get(0).get("e").asLong());
    assertEquals(history.operations().size() * 4, data.get("p").size(), "every op drawn");
  }

  @Test
  void write_fiftyThousandOps_fewMegabytesAndEveryFailureDrawn() throws Exception {
    Histories h = Histories.history().duration(600_000);
    java.util.Random random = new java.util.Random(7);
    int notOk = 0;
    for (int i = 0; i < 50_000; i++) {
      long start = i * 12L;
      int roll = random.nextInt(100);
      History.Outcome outcome = roll < 2 ? FAILED : roll < 4 ? UNKNOWN : OK;
      notOk += outcome == OK ? 0 : 1;
      h.put("k" + (i % 500), "v" + i, start, start + 1 + random.nextInt(200), outcome);
    }
    History.Operation outlier = h.put("k0", "slowest", 300_000, 305_000, OK); // alone in its cell
    for (int f = 0; f < 40; f++) {
      h.fault(f % 2 == 0 ? "kill" : "pause", List.of("n" + (1 + f % 3)), "fault " + f,
          f * 15_000L, f * 15_000L + 5_000);
    }
    History history = h.build();
    Path file = dir.resolve("long.html");
    TimelineReport.write(history, new CheckReport(List.of(), java.util.Map.of()), file);

    long size = Files.size(file);
    assertTrue(size < 3_000_000, "report is " + size + " bytes");
    JsonNode data = embedded(Files.readString(file));
    int drawn = data.get("p").size() / 4;
    int drawnNotOk = 0;
    for (int i = 0; i < drawn; i++) {
      drawnNotOk += data.get("p").get(4 * i + 2).asInt() % 3 == 0 ? 0 : 1;
    }
    assertEquals(notOk, drawnNotOk, "every FAILED and UNKNOWN op is drawn");
    assertTrue(data.get("okDrawn").asLong() < data.get("ok").asLong(), "OK points thinned");
    boolean outlierDrawn = false;
    for (int i = 0; i < drawn; i++) {
      outlierDrawn |= data.get("p").get(4 * i + 3).asLong() == outlier.id();
    }
    assertTrue(outlierDrawn, "an OK point alone in its cell is never thinned away");
  }

  private static JsonNode embedded(String html) throws Exception {
    int from = html.indexOf("const D = ") + "const D = ".length();
    int to = html.indexOf(";\n", from);
    return new ObjectMapper().readTree(html.substring(from, to).replace("<\\/", "</"));
  }
}
