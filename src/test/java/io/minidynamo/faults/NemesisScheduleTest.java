package io.minidynamo.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.faults.NemesisSchedule.Step;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NemesisScheduleTest {
  private static final List<String> THREE = List.of("n1", "n2", "n3");
  private static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");
  private static final Set<String> ALL = Set.copyOf(NemesisSchedule.KINDS);
  private static final FaultOptions.Range DURATION = new FaultOptions.Range(3_000, 7_000);
  private static final FaultOptions.Range GAP = new FaultOptions.Range(2_000, 4_000);

  private static List<Step> plan(long seed, String mode, long millis, Set<String> kinds, List<String> nodes,
      boolean partitions) {
    return NemesisSchedule.plan(new Random(seed), mode, millis, kinds, DURATION, GAP, nodes, partitions);
  }

  @Test
  void plan_sameSeed_sameSchedule() {
    assertEquals(plan(42, "short", 600_000, ALL, FIVE, true), plan(42, "short", 600_000, ALL, FIVE, true));
    assertNotEquals(plan(42, "short", 600_000, ALL, FIVE, true), plan(43, "short", 600_000, ALL, FIVE, true));
  }

  @Test
  void plan_faultsFollowEachOtherWithinTheRun() {
    List<Step> steps = plan(7, "long", 600_000, ALL, FIVE, true);
    assertTrue(steps.size() > 20, "a 10-minute plan has many faults: " + steps.size());
    long free = NemesisSchedule.WARMUP_MILLIS;
    for (Step step : steps) {
      assertTrue(step.atMillis() >= free, "overlaps the previous fault: " + step);
      assertTrue(step.durationMillis() >= 3_000 && step.durationMillis() <= 7_000, step.toString());
      free = step.atMillis() + step.durationMillis() + GAP.minMillis();
    }
    Step last = steps.get(steps.size() - 1);
    assertTrue(last.atMillis() + last.durationMillis() <= 600_000 - NemesisSchedule.TAIL_MILLIS);
  }

  @Test
  void plan_everyKindAppearsInALongRun() {
    Set<String> kinds = new HashSet<>();
    plan(1, "long", 600_000, ALL, FIVE, true).forEach(step -> kinds.add(step.kind()));
    assertEquals(ALL, kinds);
  }

  @Test
  void plan_withoutPartitions_hasNoPartitionFaults() {
    List<Step> steps = plan(3, "long", 600_000, ALL, THREE, false);
    assertFalse(steps.isEmpty());
    assertTrue(steps.stream().noneMatch(Step::isPartition), steps.toString());
  }

  @Test
  void plan_onlyEnabledKinds() {
    List<Step> steps = plan(3, "short", 120_000, Set.of("pause"), THREE, true);
    assertFalse(steps.isEmpty());
    assertTrue(steps.stream().allMatch(step -> step.kind().equals("pause")));
    assertTrue(plan(3, "short", 120_000, Set.of(), THREE, true).isEmpty());
  }

  @Test
  void partitions_cutOnlyBetweenSides_bridgeSeesBoth() {
    for (Step step : plan(11, "long", 600_000, Set.of("partition-bridge", "partition-halves",
        "partition-isolate"), FIVE, true)) {
      Set<String> placed = new HashSet<>();
      step.sides().forEach(side -> {
        assertFalse(side.isEmpty(), step.toString());
        side.forEach(node -> assertTrue(placed.add(node), "node on two sides: " + step));
      });
      int expectedCut = step.sides().get(0).size() * step.sides().get(1).size();
      assertEquals(expectedCut, step.cutPairs().size(), step.toString());
      if (step.kind().equals("partition-bridge")) {
        assertEquals(FIVE.size() - 1, placed.size(), "exactly one bridge: " + step);
        String bridge = FIVE.stream().filter(node -> !placed.contains(node)).findFirst().orElseThrow();
        assertTrue(step.cutPairs().stream().noneMatch(pair -> pair.contains(bridge)), step.toString());
        assertTrue(step.description().contains("bridge " + bridge), step.description());
      } else {
        assertEquals(FIVE.size(), placed.size(), step.toString());
      }
      if (step.kind().equals("partition-isolate")) {
        assertEquals(1, step.sides().get(0).size(), step.toString());
      }
    }
  }

  @Test
  void selfTest_oneKillAllEndingAtTheWorkloadsEnd() {
    List<Step> steps = plan(99, "selftest", 25_000, Set.of("kill-all"), THREE, false);
    assertEquals(1, steps.size());
    Step step = steps.get(0);
    assertEquals("kill-all", step.kind());
    assertEquals(THREE, step.nodes());
    assertEquals(23_000, step.atMillis());
    assertEquals(25_000, step.atMillis() + step.durationMillis(), "healed only once the workload is over");
    assertEquals(plan(1, "selftest", 25_000, Set.of("kill-all"), THREE, false), steps, "independent of the seed");
  }

  @Test
  void clockSkew_offsetBetweenTwoAndFifteenSeconds() {
    List<Step> steps = plan(5, "long", 600_000, Set.of("clock-skew"), THREE, true);
    assertFalse(steps.isEmpty());
    for (Step step : steps) {
      long offset = Math.abs(step.clockOffsetMillis());
      assertTrue(offset >= 2_000 && offset <= 15_000, step.toString());
      assertEquals(1, step.nodes().size());
    }
  }
}
