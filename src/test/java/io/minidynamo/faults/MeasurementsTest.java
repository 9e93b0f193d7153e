package io.minidynamo.faults;

import static io.minidynamo.faults.History.Outcome.FAILED;
import static io.minidynamo.faults.History.Outcome.OK;
import static io.minidynamo.faults.History.Outcome.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The figures {@link Checker} measures: availability per fault window, latency, stale reads. */
class MeasurementsTest {

  @Test
  void availability_perFaultKindAndOutside_byStartTime() {
    Histories h = Histories.history();
    h.put("a", "a1", 0, 10, OK);           // outside
    h.put("a", "a2", 100, 110, OK);        // outside
    h.put("a", "a3", 900, 1_050, OK);      // outside: started before the kill, ended inside it
    h.put("b", "b1", 1_000, 1_100, OK);    // kill
    h.put("b", "b2", 1_200, 1_300, UNKNOWN); // kill
    h.put("b", "b3", 1_990, 2_600, FAILED); // kill: started inside, ended after
    h.put("c", "c1", 3_000, 3_010, FAILED); // pause
    h.fault("kill", List.of("n1"), "kill -9 n1", 1_000, 2_000);
    h.fault("pause", List.of("n2"), "SIGSTOP n2", 3_000, 3_500);
    Map<String, Object> m = Checker.check(h.build()).measurements();
    assertEquals(1.0, m.get("availability outside faults"));
    assertEquals(3L, m.get("availability outside faults (requests)"));
    assertEquals(0.3333, m.get("availability during kill"));
    assertEquals(3L, m.get("availability during kill (requests)"));
    assertEquals(0.0, m.get("availability during pause"));
    assertEquals(1L, m.get("faults kill"));
    assertEquals(7L, m.get("ops"));
    assertEquals(4L, m.get("ops ok"));
    assertEquals(2L, m.get("ops failed"));
    assertEquals(1L, m.get("ops unknown"));
    assertEquals("n/a", m.get("availability DELETE"));
  }

  @Test
  void latency_percentilesOfOkOpsOnly() {
    Histories h = Histories.history();
    for (int i = 1; i <= 100; i++) {
      h.put("k", "v" + i, i * 1_000L, i * 1_000L + i, OK); // latencies 1..100 ms
    }
    h.put("k", "slow-failure", 200_000, 260_000, FAILED);
    Map<String, Object> m = Checker.check(h.build()).measurements();
    assertEquals(50.0, m.get("latency ok p50 ms"));
    assertEquals(99.0, m.get("latency ok p99 ms"));
    assertEquals(100.0, m.get("latency ok max ms"));
  }

  @Test
  void percentile_nearestRank() {
    long[] v = {10, 20, 30, 40};
    assertEquals(20, Measurements.percentile(v, 50));
    assertEquals(40, Measurements.percentile(v, 99));
    assertEquals(10, Measurements.percentile(new long[] {10}, 50));
  }

  @Test
  void staleReads_readOlderThanLastAckedWrite_counted() {
    Histories h = Histories.history();
    h.put("k", "v1", 0, 10, OK);
    h.put("k", "v2", 20, 30, OK);
    h.get("k", "v1", 40, 45);   // stale: v2 was acked before it started
    h.get("k", "v2", 50, 55);   // fresh
    h.get("k", "v1", 25, 28);   // v2 not yet acked when it started: not counted as stale
    Map<String, Object> m = Checker.check(h.build()).measurements();
    assertEquals(3L, m.get("reads checked for staleness (sequential keys)"));
    assertEquals(1L, m.get("stale reads (sequential keys)"));
  }
}
