package io.minidynamo.faults;

import java.io.IOException;
import java.nio.file.Path;

/** One self-contained HTML file: latency and outcome over time, fault windows shaded, the checks. */
public final class TimelineReport {
  private TimelineReport() {}

  public static void write(History h, CheckReport r, Path htmlFile) throws IOException {
    throw new UnsupportedOperationException("timeline report: not yet written");
  }
}
