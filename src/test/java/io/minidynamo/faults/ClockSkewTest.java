package io.minidynamo.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing clock-skew fault descriptions defensively. */
class ClockSkewTest {

  private static List<ClockSkew.Window> parse(String description, List<String> nodes) {
    return ClockSkew.parse(new History.Fault(1, "clock-skew", nodes, description, 1_000, 2_000));
  }

  @Test
  void parse_signedMillisOnNode_oneWindowForThatNode() {
    assertEquals(List.of(new ClockSkew.Window("n2", 5_000_000, 1_000, 2_000)),
        parse("+5000ms on n2", List.of("n2")));
  }

  @Test
  void parse_runnerFormat_spaceBeforeUnit() {
    assertEquals(List.of(new ClockSkew.Window("n1", -5_000_000, 1_000, 2_000)),
        parse("-5000 ms on n1", List.of("n1")));
  }

  @Test
  void parse_negativeSeconds_offsetBehind() {
    assertEquals(List.of(new ClockSkew.Window("n3", -2_000_000, 1_000, 2_000)),
        parse("-2s on n3", List.of("n1", "n3")));
  }

  @Test
  void parse_unicodeMinusFractionalSecondsWithSpace() {
    assertEquals(-1_500_000, parse("\u22121.5 s on n1", List.of("n1")).get(0).offsetMicros());
  }

  @Test
  void parse_plainNumberWithoutNode_millisAheadOnEveryListedNode() {
    List<ClockSkew.Window> w = parse("250", List.of("n1", "n2"));
    assertEquals(2, w.size());
    assertTrue(w.stream().allMatch(x -> x.offsetMicros() == 250_000), w.toString());
    assertEquals(List.of("n1", "n2"), w.stream().map(ClockSkew.Window::node).toList());
  }

  @Test
  void parse_microseconds() {
    assertEquals(700, parse("+700us on n1", List.of("n1")).get(0).offsetMicros());
  }

  @Test
  void parse_noNumber_noWindowAndCountedUnparsed() {
    assertEquals(List.of(), parse("skewed somehow", List.of("n1")));
    History h = Histories.history()
        .fault("clock-skew", List.of("n1"), "skewed somehow", 0, 10).build();
    assertEquals(1, ClockSkew.of(h).unparsed().size());
    assertEquals(1L, Checker.check(h).measurements().get("clock-skew faults with no parsable offset"));
  }

  @Test
  void of_ignoresOtherFaultKinds() {
    History h = Histories.history()
        .fault("partition-isolate", List.of("n1"), "n1 | n2,n3", 0, 10)
        .fault("clock-skew", List.of("n2"), "+1s on n2", 0, 10).build();
    assertEquals(List.of(new ClockSkew.Window("n2", 1_000_000, 0, 10_000)), ClockSkew.of(h).windows());
  }
}
