package io.minidynamo.antientropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PurgeCutoffTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  private static final long NOW_MILLIS = 1_000_000;

  @Test
  void cutoff_floorsAboveGrace_isNowMinusGrace() {
    OptionalLong cutoff = PurgeCutoff.cutoff(NOW_MILLIS, Duration.ofSeconds(10), NODES,
        Map.of("n1", Long.MAX_VALUE, "n2", Long.MAX_VALUE, "n3", Long.MAX_VALUE));
    assertEquals(OptionalLong.of((NOW_MILLIS - 10_000) * 1000), cutoff);
  }

  @Test
  void cutoff_aNodeWithAnOldHint_limitsIt() {
    OptionalLong cutoff = PurgeCutoff.cutoff(NOW_MILLIS, Duration.ofSeconds(10), NODES,
        Map.of("n1", Long.MAX_VALUE, "n2", 42L, "n3", Long.MAX_VALUE));
    assertEquals(OptionalLong.of(42), cutoff);
  }

  @Test
  void cutoff_aNodeNotAnswered_none() {
    assertTrue(PurgeCutoff.cutoff(NOW_MILLIS, Duration.ofSeconds(10), NODES,
        Map.of("n1", Long.MAX_VALUE, "n3", Long.MAX_VALUE)).isEmpty());
  }
}
