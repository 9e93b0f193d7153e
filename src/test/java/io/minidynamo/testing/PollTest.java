package io.minidynamo.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PollTest {
  @Test
  void returnsOnceTheConditionHolds_withoutAskingForTheMessage() {
    AtomicInteger polls = new AtomicInteger();
    Poll.until(Duration.ofSeconds(10), () -> polls.incrementAndGet() == 3,
        () -> { throw new AssertionError("the message is only for a failure"); });
    assertEquals(3, polls.get());
  }

  @Test
  void failsWithTheMessageOnceTheDeadlinePasses() {
    AtomicInteger polls = new AtomicInteger();
    AssertionError e = assertThrows(AssertionError.class,
        () -> Poll.until(Duration.ofMillis(250), () -> polls.incrementAndGet() < 0,
            () -> "last poll " + polls.get()));
    assertEquals("not within PT0.25S: last poll " + polls.get(), e.getMessage());
    assertTrue(polls.get() >= 2, "polled until the deadline, not once: " + polls.get());
  }
}
