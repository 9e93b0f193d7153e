package io.minidynamo.faults;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code java -cp target/mini-dynamo.jar io.minidynamo.faults.CheckMain <history.json>
 * [<report.html>]}: checks a recorded run. Prints one line per check ({@code PASS name — detail}
 * or {@code FAIL name — detail; e.g. …}), one line per measurement ({@code MEASURE name = value}),
 * then the summary line {@code N passed, N failed} last. Exit 0 iff no check failed, 1 if one did,
 * 2 (one {@code error:} line on stderr) when the history is missing, unreadable or invalid or the
 * report cannot be written.
 */
public final class CheckMain {
  private CheckMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length < 1 || args.length > 2) {
      err.println("error: usage: CheckMain <history.json> [<report.html>]");
      return 2;
    }
    Path file = Path.of(args[0]);
    if (!Files.isRegularFile(file)) {
      err.println("error: no history file at " + file);
      return 2;
    }
    History history;
    CheckReport report;
    try {
      history = History.read(file);
      report = Checker.check(history);
    } catch (IOException | RuntimeException e) {
      err.println("error: cannot read history " + file + ": " + oneLine(e));
      return 2;
    }
    if (args.length == 2) {
      try {
        TimelineReport.write(history, report, Path.of(args[1]));
      } catch (IOException | RuntimeException e) {
        err.println("error: cannot write report " + args[1] + ": " + oneLine(e));
        return 2;
      }
    }
    for (CheckResult c : report.checks()) {
      out.println(line(c));
    }
    report.measurements().forEach((k, v) -> out.println("MEASURE " + k + " = " + v));
    out.println(report.summaryLine());
    return report.failed() == 0 ? 0 : 1;
  }

  static String line(CheckResult c) {
    String s = (c.passed() ? "PASS " : "FAIL ") + c.name() + " \u2014 " + c.detail();
    if (!c.examples().isEmpty()) {
      s += "; e.g. " + String.join(" | ", c.examples());
    }
    return s.replace('\n', ' ');
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
