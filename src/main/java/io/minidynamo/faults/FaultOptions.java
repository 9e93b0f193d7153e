package io.minidynamo.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fault runner's command line, parsed and validated once. A mode sets defaults (duration, fault
 * kinds, pacing); every explicit option overrides its mode's default.
 *
 * <ul>
 *   <li>{@code short}: 30 s of workload, kill / pause / partitions / clock skew (the CI run).
 *   <li>{@code long}: 10 min, the same plus kill-all (power loss of every node).
 *   <li>{@code selftest}: 25 s, one kill-all at 23 s, restarted after the workload: with the
 *       broken {@code mini-dynamo.test.unsafe-skip-persist = on} it must fail, without it pass.
 * </ul>
 *
 * @param mode short, long or selftest
 * @param seed seed of the nemesis schedule and of the workload's choices
 * @param nodes number of node processes (3 or 5)
 * @param duration how long the workload runs
 * @param faults the fault kinds the nemesis may inject (see {@link NemesisSchedule#KINDS})
 * @param network auto, namespaces or loopback
 * @param settings extra node settings, passed to every node as {@code -Dkey=value}
 * @param out the output directory (history.json, report.html, logs, data dirs)
 * @param faultDuration shortest and longest fault window
 * @param faultGap shortest and longest quiet time between two faults
 * @param convergenceDeadline how long to wait for convergence after healing
 * @param netnsPrefix internal: set when this process already runs inside the namespaces its parent
 *     made (the client namespace); null otherwise
 */
record FaultOptions(
    String mode,
    long seed,
    int nodes,
    Duration duration,
    Set<String> faults,
    String network,
    Map<String, String> settings,
    Path out,
    Range faultDuration,
    Range faultGap,
    Duration convergenceDeadline,
    String netnsPrefix) {

  /** An inclusive range of milliseconds. */
  record Range(long minMillis, long maxMillis) {
    Range {
      if (minMillis < 0 || maxMillis < minMillis) {
        throw new IllegalArgumentException("bad range " + minMillis + "-" + maxMillis + " ms");
      }
    }

    static Range seconds(String text, String option) {
      String[] parts = text.split("-", -1);
      try {
        if (parts.length == 1) {
          long s = (long) (Double.parseDouble(parts[0]) * 1000);
          return new Range(s, s);
        }
        if (parts.length == 2) {
          return new Range((long) (Double.parseDouble(parts[0]) * 1000),
              (long) (Double.parseDouble(parts[1]) * 1000));
        }
      } catch (IllegalArgumentException e) {
        // falls through to the usage error
      }
      throw new UsageException(option + " takes seconds MIN-MAX (e.g. 3-8), got '" + text + "'");
    }

    String asSeconds() {
      return (minMillis / 1000.0) + "-" + (maxMillis / 1000.0);
    }
  }

  /** A command line that cannot be run: the message says why. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  static final String USAGE = """
      usage: java -cp target/mini-dynamo.jar io.minidynamo.faults.FaultRunner [options]
        --mode short|long|selftest   defaults below (short)
        --seed N                     seed of the schedule and workload (random if absent; printed)
        --nodes 3|5                  node processes (3); N=3 R=2 W=2
        --duration SECONDS           workload duration (short 30, long 600, selftest 25)
        --faults LIST                comma list of kill,pause,partition,skew,kill-all
                                     (partition = partition-isolate,partition-halves,partition-bridge)
        --fault-duration MIN-MAX     seconds a fault lasts (short 3-7, long 5-20)
        --fault-gap MIN-MAX          seconds between faults (short 2-4, long 5-15)
        --network auto|namespaces|loopback
                                     namespaces (root, ip netns + iptables) cut the network between
                                     nodes; loopback runs process faults only (auto: namespaces if
                                     they work)
        --setting KEY=VALUE          extra node setting, e.g. mini-dynamo.test.unsafe-skip-persist=on
        --convergence-deadline SECS  wait this long for convergence after healing (60)
        --out DIR                    output directory (faults-out/<mode>-<seed>)
      """;

  static FaultOptions parse(String[] args) {
    Map<String, String> given = new LinkedHashMap<>();
    Map<String, String> settings = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h") || arg.equals("--help")) {
        throw new UsageException("");
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq > 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.length) {
          throw new UsageException("--" + name + " needs a value");
        }
        value = args[++i];
      }
      if (name.equals("setting")) {
        int at = value.indexOf('=');
        if (at <= 0) {
          throw new UsageException("--setting takes KEY=VALUE, got '" + value + "'");
        }
        settings.put(value.substring(0, at), value.substring(at + 1));
      } else if (List.of("mode", "seed", "nodes", "duration", "faults", "network", "out",
          "fault-duration", "fault-gap", "convergence-deadline", "netns-prefix").contains(name)) {
        given.put(name, value);
      } else {
        throw new UsageException("unknown option --" + name);
      }
    }
    String mode = given.getOrDefault("mode", "short");
    if (!List.of("short", "long", "selftest").contains(mode)) {
      throw new UsageException("--mode must be short, long or selftest, got '" + mode + "'");
    }
    long seed = given.containsKey("seed")
        ? parseLong(given.get("seed"), "--seed")
        : new java.security.SecureRandom().nextLong() & 0xffffffffL;
    int nodes = (int) parseLong(given.getOrDefault("nodes", "3"), "--nodes");
    if (nodes != 3 && nodes != 5) {
      throw new UsageException("--nodes must be 3 or 5, got " + nodes);
    }
    Duration duration = Duration.ofMillis((long) (parseDouble(given.getOrDefault("duration",
        switch (mode) {
          case "long" -> "600";
          case "selftest" -> "25";
          default -> "30";
        }), "--duration") * 1000));
    if (duration.toSeconds() < 5) {
      throw new UsageException("--duration must be at least 5 seconds");
    }
    Set<String> faults = expandFaults(given.getOrDefault("faults", switch (mode) {
      case "long" -> "kill,pause,partition,skew,kill-all";
      case "selftest" -> "kill-all";
      default -> "kill,pause,partition,skew";
    }));
    String network = given.getOrDefault("network", "auto");
    if (!List.of("auto", "namespaces", "loopback").contains(network)) {
      throw new UsageException("--network must be auto, namespaces or loopback, got '" + network + "'");
    }
    Range faultDuration = Range.seconds(
        given.getOrDefault("fault-duration", mode.equals("long") ? "5-20" : "3-7"), "--fault-duration");
    Range faultGap = Range.seconds(
        given.getOrDefault("fault-gap", mode.equals("long") ? "5-15" : "2-4"), "--fault-gap");
    Duration deadline = Duration.ofMillis(
        (long) (parseDouble(given.getOrDefault("convergence-deadline", "60"), "--convergence-deadline") * 1000));
    Path out = Path.of(given.getOrDefault("out", "faults-out/" + mode + "-" + seed)).toAbsolutePath();
    return new FaultOptions(mode, seed, nodes, duration, faults, network, Map.copyOf(settings), out,
        faultDuration, faultGap, deadline, given.get("netns-prefix"));
  }

  private static Set<String> expandFaults(String list) {
    Set<String> kinds = new LinkedHashSet<>();
    for (String item : list.split(",")) {
      String kind = item.trim();
      switch (kind) {
        case "" -> { }
        case "partition" -> kinds.addAll(List.of(
            NemesisSchedule.PARTITION_ISOLATE, NemesisSchedule.PARTITION_HALVES,
            NemesisSchedule.PARTITION_BRIDGE));
        case "skew" -> kinds.add(NemesisSchedule.CLOCK_SKEW);
        default -> {
          if (!NemesisSchedule.KINDS.contains(kind)) {
            throw new UsageException("unknown fault '" + kind + "' (kinds: kill, pause, partition, "
                + "partition-isolate, partition-halves, partition-bridge, skew, kill-all)");
          }
          kinds.add(kind);
        }
      }
    }
    return Set.copyOf(kinds);
  }

  private static long parseLong(String text, String option) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(option + " takes a whole number, got '" + text + "'");
    }
  }

  private static double parseDouble(String text, String option) {
    try {
      double value = Double.parseDouble(text.trim());
      if (value < 0 || Double.isNaN(value) || Double.isInfinite(value)) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new UsageException(option + " takes a number of seconds, got '" + text + "'");
    }
  }

  /** The same options with the network decided (auto resolved) and, inside namespaces, the prefix. */
  FaultOptions withNetwork(String resolved, String prefix) {
    return new FaultOptions(mode, seed, nodes, duration, faults, resolved, settings, out,
        faultDuration, faultGap, convergenceDeadline, prefix);
  }

  /** The options as command-line arguments that reproduce this run (without the internal prefix). */
  List<String> toArgs() {
    List<String> args = new ArrayList<>(List.of(
        "--mode", mode, "--seed", Long.toString(seed), "--nodes", Integer.toString(nodes),
        "--duration", Double.toString(duration.toMillis() / 1000.0),
        "--faults", String.join(",", NemesisSchedule.KINDS.stream().filter(faults::contains).toList()),
        "--fault-duration", faultDuration.asSeconds(), "--fault-gap", faultGap.asSeconds(),
        "--network", network,
        "--convergence-deadline", Double.toString(convergenceDeadline.toMillis() / 1000.0)));
    settings.forEach((key, value) -> args.addAll(List.of("--setting", key + "=" + value)));
    args.addAll(List.of("--out", out.toString()));
    return args;
  }

  /** The shell command that replays this run's schedule. */
  String replayCommand() {
    return "java -cp target/mini-dynamo.jar io.minidynamo.faults.FaultRunner "
        + String.join(" ", toArgs());
  }
}
