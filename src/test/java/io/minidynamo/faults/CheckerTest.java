package io.minidynamo.faults;

import static io.minidynamo.faults.Histories.EPOCH_MS;
import static io.minidynamo.faults.Histories.history;
import static io.minidynamo.faults.Histories.result;
import static io.minidynamo.faults.History.Outcome.FAILED;
import static io.minidynamo.faults.History.Outcome.OK;
import static io.minidynamo.faults.History.Outcome.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.faults.History.FinalRead;
import io.minidynamo.faults.History.Operation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Checker} on synthetic histories: each property once satisfied and once violated. */
class CheckerTest {

  private static void assertPassed(CheckReport report, String name) {
    CheckResult c = result(report, name);
    assertTrue(c.passed(), name + ": " + c.detail() + " " + c.examples());
    assertEquals(List.of(), c.examples());
  }

  private static CheckResult assertFailed(CheckReport report, String name, String exampleFragment) {
    CheckResult c = result(report, name);
    assertFalse(c.passed(), name + " should fail: " + c.detail());
    assertTrue(c.examples().stream().anyMatch(e -> e.contains(exampleFragment)),
        "an example naming '" + exampleFragment + "' in " + c.examples());
    return c;
  }

  /** A healthy run touching every kind of key: nothing fails. */
  static Histories healthy() {
    Histories h = history();
    h.put("s1", "s1-a", 0, 10, OK);
    Operation s1 = h.put("s1", "s1-b", 20, 30, OK);
    h.get("s1", "s1-b", 40, 45);
    h.get("s1", null, 1, 2); // not written yet: 404
    h.replicas("s1", s1);
    h.op(2, History.WorkerKind.DELETER, History.OpKind.PUT, "d1", "d1-a", "n2", 0, 10, OK);
    Operation d1 = h.delete("d1", 20, 30, OK);
    h.replicas("d1", d1);
    h.contended(3, "c1", "c1-a", "n1", 0, 50, OK);
    Operation c1 = h.contended(4, "c1", "c1-b", "n2", 10, 60, OK);
    h.replicas("c1", c1);
    return h;
  }

  @Test
  void check_healthyRun_everyPropertyPasses() {
    CheckReport report = Checker.check(healthy().build());
    assertEquals(List.of("convergence", "no-lost-acked-write", "no-undone-delete",
        "no-phantom-value", "no-unexplained-lww-loss"),
        report.checks().stream().map(CheckResult::name).toList());
    report.checks().forEach(c -> assertTrue(c.passed(), c.name() + ": " + c.detail() + c.examples()));
    assertEquals("5 passed, 0 failed", report.summaryLine());
    assertEquals(1L, report.measurements().get("lww losses to concurrent writes (contended keys)"));
  }

  @Test
  void summaryLine_someFailed_countsBoth() {
    CheckReport report = new CheckReport(List.of(
        new CheckResult("a", true, "", List.of()),
        new CheckResult("b", false, "", List.of("x")),
        new CheckResult("c", false, "", List.of("y"))), java.util.Map.of());
    assertEquals(1, report.passed());
    assertEquals(2, report.failed());
    assertEquals("1 passed, 2 failed", report.summaryLine());
  }

  // ---- convergence ----

  @Test
  void convergence_replicasDisagree_fails() {
    Histories h = history();
    Operation a = h.put("k", "v1", 0, 10, OK);
    Operation b = h.put("k", "v2", 20, 30, OK);
    long ts = (EPOCH_MS + 20) * 1000;
    h.replica(new FinalRead("k", "n1", true, true, "v2", false, ts, "n1"))
        .replica(new FinalRead("k", "n2", true, true, "v2", false, ts, "n1"))
        .replica(new FinalRead("k", "n3", true, true, "v1", false, ts - 20_000, "n1"));
    CheckReport report = Checker.check(h.build());
    assertFailed(report, "convergence", "replicas disagree");
    // the merged winner is the acked write: not a lost write, only unconverged
    assertPassed(report, "no-lost-acked-write");
    assertTrue(a.id() < b.id());
  }

  @Test
  void convergence_unreachableReplica_fails() {
    Histories h = history();
    Operation a = h.put("k", "v1", 0, 10, OK);
    long ts = EPOCH_MS * 1000;
    h.replica(new FinalRead("k", "n1", true, true, "v1", false, ts, "n1"))
        .replica(new FinalRead("k", "n2", true, true, "v1", false, ts, "n1"))
        .replica(new FinalRead("k", "n3", false, false, null, false, 0, null));
    assertFailed(Checker.check(h.build()), "convergence", "unreachable");
    assertEquals("v1", a.value());
  }

  @Test
  void convergence_runnerGaveUp_fails() {
    CheckReport report = Checker.check(healthy().notConverged().build());
    assertFailed(report, "convergence", "no convergence");
  }

  @Test
  void convergence_writtenKeyNeverReadBack_fails() {
    Histories h = healthy();
    h.put("orphan", "o1", 100, 110, UNKNOWN);
    assertFailed(Checker.check(h.build()), "convergence", "'orphan'");
  }

  @Test
  void convergence_tooFewReplicasRead_fails() {
    Histories h = history();
    h.put("k", "v1", 0, 10, OK);
    h.replica(new FinalRead("k", "n1", true, true, "v1", false, EPOCH_MS * 1000, "n1"));
    assertFailed(Checker.check(h.build()), "convergence", "only 1 of 3");
  }

  // ---- no-lost-acked-write ----

  @Test
  void noLostAckedWrite_finalValueFromEarlierAckedWrite_fails() {
    Histories h = history();
    Operation first = h.put("k", "v1", 0, 10, OK);
    Operation last = h.put("k", "v2", 20, 30, OK);
    h.replicas("k", first);
    CheckResult c = assertFailed(Checker.check(h.build()), "no-lost-acked-write",
        "op " + last.id());
    assertTrue(c.detail().startsWith("1 acknowledged write(s) lost"), c.detail());
  }

  @Test
  void noLostAckedWrite_laterUnknownWriteLanded_accepted() {
    Histories h = history();
    h.put("k", "v1", 0, 10, OK);
    Operation unknown = h.put("k", "v2", 20, 30, UNKNOWN);
    h.replicas("k", unknown);
    assertPassed(Checker.check(h.build()), "no-lost-acked-write");
  }

  @Test
  void noLostAckedWrite_laterUnknownWriteNotLanded_accepted() {
    Histories h = history();
    Operation acked = h.put("k", "v1", 0, 10, OK);
    h.put("k", "v2", 20, 30, UNKNOWN);
    h.replicas("k", acked);
    assertPassed(Checker.check(h.build()), "no-lost-acked-write");
  }

  @Test
  void noLostAckedWrite_laterFailedWriteFound_notAccepted() {
    Histories h = history();
    Operation acked = h.put("k", "v1", 0, 10, OK);
    Operation failed = h.put("k", "v2", 20, 30, FAILED);
    h.replicas("k", failed);
    CheckReport report = Checker.check(h.build());
    assertFailed(report, "no-lost-acked-write", "op " + acked.id());
    assertFailed(report, "no-phantom-value", "FAILED PUT op " + failed.id());
  }

  @Test
  void noLostAckedWrite_keyAbsentAfterAckedPut_fails() {
    Histories h = history();
    Operation acked = h.put("k", "v1", 0, 10, OK);
    h.absent("k");
    assertFailed(Checker.check(h.build()), "no-lost-acked-write", "op " + acked.id());
  }

  @Test
  void noLostAckedWrite_earlierUnknownWriteLandedLate_measuredNotFailed() {
    Histories h = history();
    Operation unknown = h.put("k", "v1", 0, 10, UNKNOWN);
    h.put("k", "v2", 20, 30, OK);
    h.replicas("k", unknown);
    CheckReport report = Checker.check(h.build());
    assertPassed(report, "no-lost-acked-write");
    assertEquals(1L, report.measurements().get("acked writes overwritten by a late unacknowledged write"));
  }

  @Test
  void noLostAckedWrite_deleterEndsInTombstone_passes_andInEarlierValue_fails() {
    Histories ok = history();
    ok.op(2, History.WorkerKind.DELETER, History.OpKind.PUT, "d", "d-a", "n1", 0, 10, OK);
    Operation delete = ok.delete("d", 20, 30, OK);
    ok.replicas("d", delete);
    assertPassed(Checker.check(ok.build()), "no-lost-acked-write");

    Histories lost = history();
    Operation put = lost.op(2, History.WorkerKind.DELETER, History.OpKind.PUT, "d", "d-a", "n1", 0, 10, OK);
    Operation del = lost.delete("d", 20, 30, OK);
    lost.replicas("d", put);
    assertFailed(Checker.check(lost.build()), "no-lost-acked-write", "DELETE op " + del.id());
  }

  @Test
  void noLostAckedWrite_earlierWriteWonThroughPositiveSkewOfItsCoordinator_measuredNotFailed() {
    Histories h = history();
    Operation skewed = h.op(1, History.WorkerKind.SEQUENTIAL, History.OpKind.PUT, "k", "v1", "n2",
        1_000, 1_010, OK);
    h.put("k", "v2", 2_000, 2_010, OK); // via n1, clock right
    h.replicasHold("k", "v1", (EPOCH_MS + 1_000 + 5_000) * 1000, "n2");
    h.fault("clock-skew", List.of("n2"), "+5000ms on n2", 500, 1_500);
    CheckReport report = Checker.check(h.build());
    assertPassed(report, "no-lost-acked-write");
    assertEquals(1L, report.measurements().get("lww losses explained by clock skew"));
    assertEquals("n2", skewed.node());
  }

  @Test
  void noLostAckedWrite_earlierWriteWonWithSkewOnAnUnrelatedNode_fails() {
    Histories h = history();
    h.op(1, History.WorkerKind.SEQUENTIAL, History.OpKind.PUT, "k", "v1", "n2", 1_000, 1_010, OK);
    Operation lost = h.put("k", "v2", 2_000, 2_010, OK);
    h.replicasHold("k", "v1", (EPOCH_MS + 1_000) * 1000, "n2");
    h.fault("clock-skew", List.of("n3"), "+5000ms on n3", 500, 1_500);
    assertFailed(Checker.check(h.build()), "no-lost-acked-write", "op " + lost.id());
  }

  // ---- no-undone-delete ----

  @Test
  void noUndoneDelete_replicaStillHoldsValueDeletedLater_fails() {
    Histories h = history();
    Operation put = h.op(2, History.WorkerKind.DELETER, History.OpKind.PUT, "d", "d-a", "n1", 0, 10, OK);
    Operation delete = h.delete("d", 20, 30, OK);
    long ts = (EPOCH_MS + 20) * 1000;
    h.replica(new FinalRead("d", "n1", true, true, null, true, ts, "n1"))
        .replica(new FinalRead("d", "n2", true, true, null, true, ts, "n1"))
        .replica(new FinalRead("d", "n3", true, true, "d-a", false, EPOCH_MS * 1000, "n1"));
    CheckReport report = Checker.check(h.build());
    CheckResult c = assertFailed(report, "no-undone-delete", "DELETE op " + delete.id() + " undone on n3");
    assertTrue(c.examples().get(0).contains("PUT op " + put.id()), c.examples().toString());
  }

  @Test
  void noUndoneDelete_laterPutAttemptLanded_passes() {
    Histories h = history();
    h.op(2, History.WorkerKind.DELETER, History.OpKind.PUT, "d", "d-a", "n1", 0, 10, OK);
    h.delete("d", 20, 30, OK);
    Operation again = h.op(2, History.WorkerKind.DELETER, History.OpKind.PUT, "d", "d-b", "n1",
        40, 50, UNKNOWN);
    h.replicas("d", again);
    CheckReport report = Checker.check(h.build());
    assertPassed(report, "no-undone-delete");
    assertPassed(report, "no-lost-acked-write");
  }

  @Test
  void noUndoneDelete_absentOnEveryReplica_passes() {
    Histories h = history();
    h.op(2, History.WorkerKind.DELETER, History.OpKind.PUT, "d", "d-a", "n1", 0, 10, OK);
    h.delete("d", 20, 30, OK);
    h.absent("d");
    CheckReport report = Checker.check(h.build());
    assertPassed(report, "no-undone-delete");
    assertPassed(report, "no-lost-acked-write");
  }

  // ---- no-phantom-value ----

  @Test
  void noPhantomValue_getReadsValueNobodyWrote_fails() {
    Histories h = healthy();
    Operation get = h.get("s1", "nobody-wrote-this", 50, 55);
    assertFailed(Checker.check(h.build()), "no-phantom-value", "GET op " + get.id());
  }

  @Test
  void noPhantomValue_getReadsValueOfAnotherKey_fails() {
    Histories h = healthy();
    h.get("s1", "c1-a", 50, 55);
    assertFailed(Checker.check(h.build()), "no-phantom-value", "to key 'c1'");
  }

  @Test
  void noPhantomValue_getReadsValueOfFailedPut_fails() {
    Histories h = healthy();
    Operation failed = h.put("s2", "s2-failed", 50, 51, FAILED);
    h.get("s2", "s2-failed", 60, 65);
    h.absent("s2");
    assertFailed(Checker.check(h.build()), "no-phantom-value", "FAILED PUT op " + failed.id());
  }

  @Test
  void noPhantomValue_getReadsValueBeforeItsPutStarted_fails() {
    Histories h = healthy();
    h.get("s1", "s1-b", 5, 8); // s1-b's PUT started at 20
    assertFailed(Checker.check(h.build()), "no-phantom-value", "started after the read ended");
  }

  @Test
  void noPhantomValue_getReadsValueOfUnknownPut_passes() {
    Histories h = healthy();
    Operation unknown = h.put("s2", "s2-maybe", 50, 51, UNKNOWN);
    h.get("s2", "s2-maybe", 60, 65);
    h.replicas("s2", unknown);
    assertPassed(Checker.check(h.build()), "no-phantom-value");
  }

  @Test
  void noPhantomValue_replicaHoldsValueNobodyWrote_fails() {
    Histories h = history();
    h.put("k", "v1", 0, 10, OK);
    h.replicasHold("k", "ghost", (EPOCH_MS + 5) * 1000, "n1");
    CheckReport report = Checker.check(h.build());
    assertFailed(report, "no-phantom-value", "final read of key 'k'");
    assertFailed(report, "no-lost-acked-write", "never written");
  }

  // ---- contended keys: LWW losses ----

  @Test
  void lww_ackedWriteLostToConcurrentWrite_measuredNotFailed() {
    Histories h = history();
    h.contended(3, "c", "a", "n1", 0, 50, OK);
    Operation winner = h.contended(4, "c", "b", "n2", 40, 60, OK);
    h.replicas("c", winner);
    CheckReport report = Checker.check(h.build());
    assertPassed(report, "no-unexplained-lww-loss");
    assertEquals(1L, report.measurements().get("lww losses to concurrent writes (contended keys)"));
    assertEquals(0L, report.measurements().get("acked writes lost, unexplained"));
  }

  @Test
  void lww_ackedWriteStartedAfterWinnerWasAcked_fails() {
    Histories h = history();
    Operation winner = h.contended(3, "c", "a", "n1", 0, 10, OK);
    Operation lost = h.contended(4, "c", "b", "n2", 20, 30, OK);
    h.replicas("c", winner);
    CheckReport report = Checker.check(h.build());
    assertFailed(report, "no-unexplained-lww-loss", "op " + lost.id());
    assertEquals(1L, report.measurements().get("acked writes lost, unexplained"));
  }

  @Test
  void lww_laterWriteSupersedesAckedOne_isNotALoss() {
    Histories h = history();
    h.contended(3, "c", "a", "n1", 0, 10, OK);
    Operation later = h.contended(4, "c", "b", "n2", 20, 30, OK);
    h.replicas("c", later);
    CheckReport report = Checker.check(h.build());
    assertPassed(report, "no-unexplained-lww-loss");
    assertEquals(0L, report.measurements().get("lww losses to concurrent writes (contended keys)"));
  }

  @Test
  void lww_winnerCoordinatedByNodeRunningAhead_explainedBySkew() {
    Histories h = history();
    Operation winner = h.contended(3, "c", "a", "n2", 1_000, 1_010, OK);
    h.contended(4, "c", "b", "n1", 2_000, 2_010, OK);
    h.replicasHold("c", "a", (EPOCH_MS + 6_000) * 1000, "n2");
    h.fault("clock-skew", List.of("n2"), "+5000ms on n2", 0, 1_500);
    CheckReport report = Checker.check(h.build());
    assertPassed(report, "no-unexplained-lww-loss");
    assertEquals(1L, report.measurements().get("lww losses explained by clock skew"));
    assertEquals("a", winner.value());
  }

  @Test
  void lww_loserCoordinatedByNodeRunningBehind_explainedBySkew() {
    Histories h = history();
    Operation winner = h.contended(3, "c", "a", "n1", 1_000, 1_010, OK);
    h.contended(4, "c", "b", "n3", 2_000, 2_010, OK);
    h.replicas("c", winner);
    h.fault("clock-skew", List.of("n3"), "-3s on n3", 1_500, 2_500);
    CheckReport report = Checker.check(h.build());
    assertPassed(report, "no-unexplained-lww-loss");
    assertEquals(1L, report.measurements().get("lww losses explained by clock skew"));
  }

  @Test
  void lww_skewWindowOverAnotherTime_doesNotExplain() {
    Histories h = history();
    Operation winner = h.contended(3, "c", "a", "n2", 1_000, 1_010, OK);
    Operation lost = h.contended(4, "c", "b", "n1", 2_000, 2_010, OK);
    h.replicas("c", winner);
    h.fault("clock-skew", List.of("n2"), "+5000ms on n2", 3_000, 4_000);
    assertFailed(Checker.check(h.build()), "no-unexplained-lww-loss", "op " + lost.id());
  }

  @Test
  void lww_winnerStampedAheadOfWallClockAfterSkewHealed_explainedBySkew() {
    Histories h = history();
    // n2 ran +5 s until 1.5 s; n1 observed its stamps, so n1 still stamps ahead at 2 s
    Operation winner = h.contended(3, "c", "a", "n1", 2_000, 2_010, OK);
    h.contended(4, "c", "b", "n3", 3_000, 3_010, OK);
    h.replicasHold("c", "a", (EPOCH_MS + 6_400) * 1000, "n1");
    h.fault("clock-skew", List.of("n2"), "+5000ms on n2", 0, 1_500);
    CheckReport report = Checker.check(h.build());
    assertPassed(report, "no-unexplained-lww-loss");
    assertEquals("a", winner.value());
  }

  @Test
  void lww_skewHealedButWinnerStampedOnTime_fails() {
    Histories h = history();
    Operation winner = h.contended(3, "c", "a", "n1", 2_000, 2_010, OK);
    Operation lost = h.contended(4, "c", "b", "n3", 3_000, 3_010, OK);
    h.replicas("c", winner); // stamped at its start: nothing carried a skewed time
    h.fault("clock-skew", List.of("n2"), "+5000ms on n2", 0, 1_500);
    assertFailed(Checker.check(h.build()), "no-unexplained-lww-loss", "op " + lost.id());
  }

  @Test
  void lww_finalValueNotWrittenToThisKey_fails() {
    Histories h = history();
    Operation acked = h.contended(3, "c", "a", "n1", 0, 10, OK);
    h.contended(4, "other", "x", "n1", 0, 10, OK);
    h.replicasHold("c", "x", (EPOCH_MS + 5) * 1000, "n1");
    h.replicasHold("other", "x", (EPOCH_MS + 5) * 1000, "n1");
    assertFailed(Checker.check(h.build()), "no-unexplained-lww-loss", "op " + acked.id());
  }

  @Test
  void lww_winnerUnknownAndEarlier_landedLate_measuredNotFailed() {
    Histories h = history();
    Operation winner = h.contended(3, "c", "a", "n1", 0, 10, UNKNOWN);
    h.contended(4, "c", "b", "n2", 20, 30, OK);
    h.replicas("c", winner);
    CheckReport report = Checker.check(h.build());
    assertPassed(report, "no-unexplained-lww-loss");
    assertEquals(1L, report.measurements().get("acked writes overwritten by a late unacknowledged write"));
  }

  @Test
  void check_historyWithoutRun_rejectedWithReason() {
    History h = new History(null, List.of(), List.of(), List.of(),
        new History.Convergence(true, 0, 0));
    Exception e = assertThrows(NullPointerException.class, () -> Checker.check(h));
    assertTrue(e.getMessage().contains("'run'"), e.getMessage());
  }
}
