package io.minidynamo.faults;

import java.util.List;

/**
 * The verdict of one property the {@link Checker} proves about a run.
 *
 * @param name the property, e.g. {@code convergence}
 * @param passed whether the history satisfies it
 * @param detail one line saying what was checked and, on failure, what broke
 * @param examples up to about ten counter-examples (operation ids, keys, values); empty when passed
 */
public record CheckResult(String name, boolean passed, String detail, List<String> examples) {
  public CheckResult {
    examples = List.copyOf(examples);
  }
}
