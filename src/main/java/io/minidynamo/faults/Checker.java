package io.minidynamo.faults;

import java.util.List;
import java.util.Map;

/** Proves from a {@link History} alone what a run lost. Pure: no processes, no clocks. */
public final class Checker {
  private Checker() {}

  public static CheckReport check(History history) {
    // API skeleton committed early for the runner; the properties follow in the next commits.
    return new CheckReport(List.of(), Map.of());
  }
}
