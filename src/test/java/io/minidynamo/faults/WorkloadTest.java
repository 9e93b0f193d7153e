package io.minidynamo.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.minidynamo.faults.History.OpKind;
import io.minidynamo.faults.History.Outcome;
import org.junit.jupiter.api.Test;

class WorkloadTest {

  @Test
  void outcome_answersRefusalsAndMaybes() {
    assertEquals(Outcome.OK, Workload.outcome(OpKind.PUT, 204));
    assertEquals(Outcome.OK, Workload.outcome(OpKind.GET, 200));
    assertEquals(Outcome.OK, Workload.outcome(OpKind.GET, 404));
    assertEquals(Outcome.FAILED, Workload.outcome(OpKind.PUT, 400));
    assertEquals(Outcome.FAILED, Workload.outcome(OpKind.DELETE, 404));
    assertEquals(Outcome.UNKNOWN, Workload.outcome(OpKind.PUT, 503));
    assertEquals(Outcome.UNKNOWN, Workload.outcome(OpKind.GET, 503));
    assertEquals(Outcome.UNKNOWN, Workload.outcome(OpKind.DELETE, 500));
  }
}
