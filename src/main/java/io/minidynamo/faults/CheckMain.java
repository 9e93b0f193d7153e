package io.minidynamo.faults;

/**
 * {@code java -cp target/mini-dynamo.jar io.minidynamo.faults.CheckMain <history.json>
 * [<report.html>]}: prints one line per check and per measurement, then the summary line; exits 0
 * iff no check failed, 2 when the history cannot be read.
 */
public final class CheckMain {
  private CheckMain() {}

  public static void main(String[] args) {
    throw new UnsupportedOperationException("CheckMain: not yet written");
  }
}
