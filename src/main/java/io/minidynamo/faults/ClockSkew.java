package io.minidynamo.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The clock-skew faults of a run, and whether they explain a last-write-wins loss that
 * synchronized clocks would not.
 *
 * <p>A write {@code f} that was acknowledged before a write {@code b} started yet beat it is
 * explained by skew when
 * <ul>
 *   <li>{@code f} was coordinated (stamped) by a node whose clock ran ahead during a skew window
 *       that overlaps {@code f}; or
 *   <li>{@code b} was coordinated by a node whose clock ran behind during a window overlapping
 *       {@code b}; or
 *   <li>{@code f}'s record carries a timestamp more than {@link #FUTURE_TOLERANCE_MICROS} ahead of
 *       the wall clock when {@code f} was acknowledged, and some node's clock had been set ahead
 *       before then: hybrid clocks carry a skewed timestamp to every node that observes it, and a
 *       restarted node forgets it, so a skew outlives its window by up to its offset.
 * </ul>
 *
 * <p>Fault description format (agreed with the runner, parsed defensively): a signed duration
 * and optionally the node, e.g. {@code "+5000ms on n2"}, {@code "-2s on n3"}, {@code "+250 ms"}.
 * Units {@code us}/{@code µs}, {@code ms}, {@code s}; no unit means milliseconds; no sign means
 * ahead. Without {@code "on <node>"} the fault's {@code nodes} are the skewed nodes. A description
 * without a number explains nothing and is counted in {@link #unparsed()}.
 */
final class ClockSkew {

  /** How far a stamp may lead the runner's idea of wall time (clock read jitter, HLC ticks). */
  static final long FUTURE_TOLERANCE_MICROS = 50_000;

  private static final Pattern OFFSET =
      Pattern.compile("([+\\-\u2212]?)\\s*(\\d+(?:\\.\\d+)?)\\s*(us|µs|ms|s)?(?![a-z])",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern ON_NODE = Pattern.compile("\\bon\\s+([A-Za-z0-9_.:\\-]+)");

  /** One node's clock offset over one window. */
  record Window(String node, long offsetMicros, long startMicros, long endMicros) {
    boolean overlaps(History.Operation op) {
      return op.startMicros() <= endMicros && startMicros <= op.endMicros();
    }
  }

  private final List<Window> windows;
  private final List<History.Fault> unparsed;
  private final long epochMicros;

  private ClockSkew(List<Window> windows, List<History.Fault> unparsed, long epochMicros) {
    this.windows = List.copyOf(windows);
    this.unparsed = List.copyOf(unparsed);
    this.epochMicros = epochMicros;
  }

  static boolean isSkew(History.Fault f) {
    return f.kind() != null && f.kind().toLowerCase(Locale.ROOT).startsWith("clock");
  }

  static ClockSkew of(History history) {
    List<Window> windows = new ArrayList<>();
    List<History.Fault> unparsed = new ArrayList<>();
    for (History.Fault f : history.faults()) {
      if (!isSkew(f)) {
        continue;
      }
      List<Window> parsed = parse(f);
      if (parsed.isEmpty()) {
        unparsed.add(f);
      }
      windows.addAll(parsed);
    }
    return new ClockSkew(windows, unparsed, history.run().startedAtEpochMillis() * 1000);
  }

  /** The windows one skew fault describes; empty when its description carries no offset. */
  static List<Window> parse(History.Fault f) {
    String d = f.description() == null ? "" : f.description();
    Matcher m = OFFSET.matcher(d);
    if (!m.find()) {
      return List.of();
    }
    double amount = Double.parseDouble(m.group(2));
    String unit = m.group(3) == null ? "ms" : m.group(3).toLowerCase(Locale.ROOT);
    double micros = switch (unit) {
      case "us", "µs" -> amount;
      case "s" -> amount * 1_000_000;
      default -> amount * 1000;
    };
    long offset = Math.round(m.group(1).isEmpty() || m.group(1).equals("+") ? micros : -micros);
    Matcher on = ON_NODE.matcher(d);
    List<String> nodes = on.find() ? List.of(on.group(1)) : f.nodes();
    List<Window> out = new ArrayList<>();
    for (String node : nodes) {
      out.add(new Window(node, offset, f.startMicros(), f.endMicros()));
    }
    return out;
  }

  List<Window> windows() {
    return windows;
  }

  List<History.Fault> unparsed() {
    return unparsed;
  }

  /**
   * Whether skew explains that {@code winner}, acknowledged before {@code loser} started, beat it.
   *
   * @param winnerStamp the winning record's timestamp and writer, or null when unknown
   */
  String explanation(History.Operation winner, History.Operation loser, FinalState winnerStamp) {
    for (Window w : windows) {
      if (w.offsetMicros() > 0 && w.overlaps(winner)
          && (w.node().equals(winner.node())
              || (winnerStamp != null && w.node().equals(winnerStamp.writer())))) {
        return "op " + winner.id() + " stamped by " + w.node() + " while its clock ran "
            + signed(w.offsetMicros()) + " ahead";
      }
      if (w.offsetMicros() < 0 && w.overlaps(loser) && w.node().equals(loser.node())) {
        return "op " + loser.id() + " stamped by " + w.node() + " while its clock ran "
            + signed(w.offsetMicros()) + " behind";
      }
    }
    if (winnerStamp != null && winnerStamp.timestamp() > 0) {
      long lead = winnerStamp.timestamp() - (epochMicros + winner.endMicros());
      boolean skewedBefore = windows.stream()
          .anyMatch(w -> w.offsetMicros() > 0 && w.startMicros() <= winner.endMicros());
      if (lead > FUTURE_TOLERANCE_MICROS && skewedBefore) {
        return "op " + winner.id() + " carries a timestamp " + (lead / 1000)
            + " ms ahead of the wall clock (a skewed clock's time, carried by hybrid clocks)";
      }
    }
    return null;
  }

  private static String signed(long micros) {
    return (micros > 0 ? "+" : "") + (micros / 1000) + " ms";
  }
}
