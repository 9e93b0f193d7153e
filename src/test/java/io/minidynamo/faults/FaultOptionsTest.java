package io.minidynamo.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultOptionsTest {

  @Test
  void parse_defaultsOfShortMode() {
    FaultOptions options = FaultOptions.parse(new String[] {"--seed", "42"});
    assertEquals("short", options.mode());
    assertEquals(42, options.seed());
    assertEquals(3, options.nodes());
    assertEquals(Duration.ofSeconds(30), options.duration());
    assertEquals(Set.of("kill", "pause", "partition-isolate", "partition-halves", "partition-bridge",
        "clock-skew"), options.faults());
    assertEquals("auto", options.network());
    assertTrue(options.out().toString().endsWith("faults-out/short-42"), options.out().toString());
  }

  @Test
  void parse_longModeAddsKillAll_selfTestIsKillAllOnly() {
    assertTrue(FaultOptions.parse(new String[] {"--mode", "long"}).faults().contains("kill-all"));
    assertEquals(Set.of("kill-all"), FaultOptions.parse(new String[] {"--mode", "selftest"}).faults());
  }

  @Test
  void parse_settingsAndEqualsForm() {
    FaultOptions options = FaultOptions.parse(new String[] {
        "--setting", "mini-dynamo.test.unsafe-skip-persist=on", "--nodes=5", "--faults", "kill,skew"});
    assertEquals(Map.of("mini-dynamo.test.unsafe-skip-persist", "on"), options.settings());
    assertEquals(5, options.nodes());
    assertEquals(Set.of("kill", "clock-skew"), options.faults());
  }

  @Test
  void parse_badInput_saysWhy() {
    assertThrows(FaultOptions.UsageException.class, () -> FaultOptions.parse(new String[] {"--nodes", "4"}));
    assertThrows(FaultOptions.UsageException.class, () -> FaultOptions.parse(new String[] {"--mode", "x"}));
    assertThrows(FaultOptions.UsageException.class, () -> FaultOptions.parse(new String[] {"--faults", "fire"}));
    assertThrows(FaultOptions.UsageException.class, () -> FaultOptions.parse(new String[] {"--seed"}));
    assertThrows(FaultOptions.UsageException.class, () -> FaultOptions.parse(new String[] {"--seed", "x"}));
    assertThrows(FaultOptions.UsageException.class, () -> FaultOptions.parse(new String[] {"--setting", "x"}));
    assertThrows(FaultOptions.UsageException.class, () -> FaultOptions.parse(new String[] {"--bogus", "1"}));
    assertThrows(FaultOptions.UsageException.class,
        () -> FaultOptions.parse(new String[] {"--fault-gap", "5-2"}));
  }

  @Test
  void toArgs_reproducesTheOptions() {
    FaultOptions options = FaultOptions.parse(new String[] {"--mode", "long", "--seed", "7", "--nodes", "5",
        "--duration", "90", "--faults", "pause,partition", "--fault-gap", "1-2",
        "--setting", "a.b=c", "--out", "/tmp/x"});
    assertEquals(options, FaultOptions.parse(options.toArgs().toArray(String[]::new)));
    assertTrue(options.replayCommand().contains("--seed 7"), options.replayCommand());
  }
}
