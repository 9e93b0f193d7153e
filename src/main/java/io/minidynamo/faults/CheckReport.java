package io.minidynamo.faults;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the {@link Checker} concluded about one run: one {@link CheckResult} per property, and
 * measured figures (availability, latencies, LWW losses) that are reported but never fail a run.
 *
 * @param checks one result per property, in a fixed order
 * @param measurements figure name to value (numbers or strings), in insertion order
 */
public record CheckReport(List<CheckResult> checks, Map<String, Object> measurements) {
  public CheckReport {
    checks = List.copyOf(checks);
    measurements = Collections.unmodifiableMap(new LinkedHashMap<>(measurements));
  }

  public int passed() {
    return (int) checks.stream().filter(CheckResult::passed).count();
  }

  public int failed() {
    return checks.size() - passed();
  }

  /** Exactly {@code "N passed, N failed"}. */
  public String summaryLine() {
    return passed() + " passed, " + failed() + " failed";
  }
}
