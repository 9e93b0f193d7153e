package io.minidynamo.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HintFloorsTest {
  private static final Duration MAX_AGE = Duration.ofSeconds(10);

  @Test
  void next_noHints_isNowMinusMaxAge() {
    assertEquals((50_000 - 10_000) * 1000L, HintFloors.next(Long.MIN_VALUE, Long.MAX_VALUE, 50_000, MAX_AGE));
  }

  @Test
  void next_anOlderPendingHint_holdsItDown() {
    assertEquals(7L, HintFloors.next(Long.MIN_VALUE, 7, 50_000, MAX_AGE));
  }

  @Test
  void next_neverDecreases() {
    long first = HintFloors.next(Long.MIN_VALUE, Long.MAX_VALUE, 50_000, MAX_AGE);
    // the wall clock stepped back and an old hint is pending: the promise made stands
    assertEquals(first, HintFloors.next(first, 7, 40_000, MAX_AGE));
  }
}
