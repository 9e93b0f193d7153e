package io.minidynamo.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The nemesis's plan for one run, computed up front from a seeded {@link Random}: which fault, on
 * which nodes, when and for how long. Pure: the same seed, options and node list give the same plan,
 * which is what makes a seed replay a run's schedule. Faults follow each other one at a time, with a
 * quiet gap between them, so every fault window is attributable to exactly one fault.
 */
final class NemesisSchedule {
  static final String KILL = "kill";
  static final String PAUSE = "pause";
  static final String PARTITION_ISOLATE = "partition-isolate";
  static final String PARTITION_HALVES = "partition-halves";
  static final String PARTITION_BRIDGE = "partition-bridge";
  static final String CLOCK_SKEW = "clock-skew";
  static final String KILL_ALL = "kill-all";
  /** Every kind, in a fixed order (the order the seeded choice picks from). */
  static final List<String> KINDS = List.of(
      KILL, PAUSE, PARTITION_ISOLATE, PARTITION_HALVES, PARTITION_BRIDGE, CLOCK_SKEW, KILL_ALL);

  /** No fault before the workload has warmed up, none planned to end in its last moments. */
  static final long WARMUP_MILLIS = 3_000;
  static final long TAIL_MILLIS = 2_000;

  private NemesisSchedule() {}

  /**
   * One planned fault.
   *
   * @param atMillis when to inject it, from the workload's start
   * @param durationMillis how long it lasts before it is healed
   * @param kind one of {@link #KINDS}
   * @param nodes the nodes it acts on
   * @param sides for partitions, the groups that cannot reach each other (a bridge node is in none
   *     and reaches all); empty otherwise
   * @param clockOffsetMillis for clock skew, the offset given to the node; 0 otherwise
   */
  record Step(
      long atMillis,
      long durationMillis,
      String kind,
      List<String> nodes,
      List<List<String>> sides,
      long clockOffsetMillis) {
    Step {
      nodes = List.copyOf(nodes);
      sides = sides.stream().map(List::copyOf).toList();
    }

    boolean isPartition() {
      return kind.startsWith("partition");
    }

    String description() {
      return switch (kind) {
        case KILL -> "kill -9 " + nodes.get(0) + ", restart after " + durationMillis + " ms";
        case PAUSE -> "SIGSTOP " + nodes.get(0) + " for " + durationMillis + " ms";
        case CLOCK_SKEW -> (clockOffsetMillis >= 0 ? "+" : "") + clockOffsetMillis + " ms on " + nodes.get(0);
        case KILL_ALL -> "kill -9 " + String.join(",", nodes) + ", restart all after " + durationMillis + " ms";
        case PARTITION_BRIDGE -> String.join(",", sides.get(0)) + " | " + String.join(",", sides.get(1))
            + " (bridge " + bridges() + " sees both)";
        default -> String.join(" | ", sides.stream().map(side -> String.join(",", side)).toList());
      };
    }

    private String bridges() {
      List<String> bridge = new ArrayList<>(nodes);
      sides.forEach(bridge::removeAll);
      return String.join(",", bridge);
    }

    /** The node pairs that cannot reach each other (each pair once). */
    List<List<String>> cutPairs() {
      List<List<String>> pairs = new ArrayList<>();
      for (int i = 0; i < sides.size(); i++) {
        for (int j = i + 1; j < sides.size(); j++) {
          for (String a : sides.get(i)) {
            for (String b : sides.get(j)) {
              pairs.add(List.of(a, b));
            }
          }
        }
      }
      return pairs;
    }
  }

  /**
   * The plan for a run of {@code durationMillis} over {@code nodeIds}.
   *
   * @param partitions whether the network can be cut (namespaces); partition kinds are left out if not
   */
  static List<Step> plan(
      Random random,
      String mode,
      long durationMillis,
      Set<String> enabled,
      FaultOptions.Range faultDuration,
      FaultOptions.Range gap,
      List<String> nodeIds,
      boolean partitions) {
    List<String> kinds = KINDS.stream()
        .filter(enabled::contains)
        .filter(kind -> partitions || !kind.startsWith("partition"))
        .toList();
    if (kinds.isEmpty()) {
      return List.of();
    }
    if (mode.equals("selftest")) {
      return selfTest(durationMillis, kinds, nodeIds);
    }
    List<Step> steps = new ArrayList<>();
    long at = WARMUP_MILLIS;
    while (true) {
      long length = between(random, faultDuration.minMillis(), faultDuration.maxMillis());
      if (at + length > durationMillis - TAIL_MILLIS) {
        return steps;
      }
      String kind = kinds.get(random.nextInt(kinds.size()));
      steps.add(step(random, at, length, kind, nodeIds));
      at += length + between(random, gap.minMillis(), gap.maxMillis());
    }
  }

  /**
   * The self-test: one kill-all (power loss of every node) 2 s before the workload ends, lasting
   * until it has ended, so no write follows the restart: each key's last acknowledged write was
   * made before the power loss and only the journal can have kept it. With no kill-all enabled,
   * the first kind, at the same time.
   */
  private static List<Step> selfTest(long durationMillis, List<String> kinds, List<String> nodeIds) {
    String kind = kinds.contains(KILL_ALL) ? KILL_ALL : kinds.get(0);
    long at = Math.max(WARMUP_MILLIS, durationMillis - 2_000);
    return List.of(step(new Random(0), at, 2_000, kind, nodeIds));
  }

  private static Step step(Random random, long at, long length, String kind, List<String> nodeIds) {
    List<String> shuffled = new ArrayList<>(nodeIds);
    Collections.shuffle(shuffled, random);
    String one = shuffled.get(0);
    return switch (kind) {
      case KILL, PAUSE -> new Step(at, length, kind, List.of(one), List.of(), 0);
      case CLOCK_SKEW -> {
        long offset = between(random, 2_000, 15_000) * (random.nextBoolean() ? 1 : -1);
        yield new Step(at, length, kind, List.of(one), List.of(), offset);
      }
      case KILL_ALL -> new Step(at, length, kind, nodeIds, List.of(), 0);
      case PARTITION_ISOLATE -> new Step(at, length, kind, nodeIds,
          List.of(List.of(one), sorted(shuffled.subList(1, shuffled.size()))), 0);
      case PARTITION_HALVES -> {
        int half = shuffled.size() / 2;
        yield new Step(at, length, kind, nodeIds, List.of(
            sorted(shuffled.subList(0, half)), sorted(shuffled.subList(half, shuffled.size()))), 0);
      }
      case PARTITION_BRIDGE -> {
        // shuffled[0] is the bridge; the others split into two non-empty sides
        List<String> rest = shuffled.subList(1, shuffled.size());
        int half = rest.size() / 2;
        yield new Step(at, length, kind, nodeIds,
            List.of(sorted(rest.subList(0, half)), sorted(rest.subList(half, rest.size()))), 0);
      }
      default -> throw new IllegalArgumentException("unknown fault kind " + kind);
    };
  }

  private static List<String> sorted(List<String> nodes) {
    return nodes.stream().sorted().toList();
  }

  private static long between(Random random, long min, long max) {
    return min + (max > min ? (long) (random.nextDouble() * (max - min + 1)) : 0);
  }
}
