package io.minidynamo.storage.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.persistence.AbstractPersistentActor;

/**
 * Throughput benchmark of {@link SegmentJournal} (not a test): 1, 16 and 64 persistent actors,
 * each persisting 100-byte events back to back (one in flight per actor, as {@code persist}
 * allows), with {@code durability = fsync} and {@code none}. Prints the median of 3 runs.
 *
 * <pre>
 * mvn -q test-compile exec:java -Dmain.class=io.minidynamo.storage.journal.JournalBench \
 *     -Dexec.classpathScope=test [-Dbench.seconds=3]
 * </pre>
 */
public final class JournalBench {

  private static final int RUNS = 3;
  private static final byte[] EVENT = new byte[100];

  /** One measured run. */
  record Result(String durability, int actors, double eventsPerSec, double fsyncsPerSec,
      double meanEventsPerBatch) {}

  private JournalBench() {}

  public static void main(String[] args) throws Exception {
    Duration measure = Duration.ofSeconds(Long.getLong("bench.seconds", 3));
    System.out.printf("%-10s %7s %12s %10s %14s%n",
        "durability", "actors", "events/s", "fsyncs/s", "events/batch");
    for (String durability : List.of("fsync", "none")) {
      for (int actors : List.of(1, 16, 64)) {
        List<Result> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
          runs.add(run(durability, actors, measure));
        }
        runs.sort(Comparator.comparingDouble(Result::eventsPerSec));
        Result median = runs.get(RUNS / 2);
        System.out.printf("%-10s %7d %12.0f %10.0f %14.1f%n", durability, actors,
            median.eventsPerSec(), median.fsyncsPerSec(), median.meanEventsPerBatch());
      }
    }
    System.exit(0);
  }

  private static Result run(String durability, int actors, Duration measure) throws Exception {
    Path dir = Files.createTempDirectory("journal-bench");
    ActorSystem system = ActorSystem.create("bench", config(dir, durability));
    AtomicBoolean running = new AtomicBoolean(true);
    try {
      for (int i = 0; i < actors; i++) {
        system.actorOf(Props.create(Writer.class, "bench-" + i, running));
      }
      Thread.sleep(1000); // warm-up: recovery, JIT
      JournalStats before = StorageStats.get(system).journal();
      long start = System.nanoTime();
      Thread.sleep(measure.toMillis());
      JournalStats after = StorageStats.get(system).journal();
      double seconds = (System.nanoTime() - start) / 1e9;
      running.set(false);
      long events = after.events() - before.events();
      long batches = after.batches() - before.batches();
      return new Result(durability, actors, events / seconds,
          (after.fsyncs() - before.fsyncs()) / seconds,
          batches == 0 ? 0 : (double) events / batches);
    } finally {
      JournalTesting.shutdown(system);
      deleteRecursively(dir);
    }
  }

  private static Config config(Path dir, String durability) {
    return ConfigFactory.parseString(
            "pekko.loglevel = WARNING\n"
                + "pekko.stdout-loglevel = WARNING\n"
                + JournalTesting.JOURNAL + ".durability = " + durability + "\n")
        .withFallback(JournalTesting.config(dir, ""));
  }

  /** Persists one 100-byte event after another until told to stop. */
  static final class Writer extends AbstractPersistentActor {
    private final String persistenceId;
    private final AtomicBoolean running;

    Writer(String persistenceId, AtomicBoolean running) {
      this.persistenceId = persistenceId;
      this.running = running;
    }

    @Override
    public String persistenceId() {
      return persistenceId;
    }

    @Override
    public void preStart() throws Exception {
      super.preStart();
      self().tell("next", self());
    }

    @Override
    public AbstractActor.Receive createReceiveRecover() {
      return receiveBuilder().matchAny(e -> {}).build();
    }

    @Override
    public AbstractActor.Receive createReceive() {
      return receiveBuilder()
          .matchEquals("next", n -> persist(EVENT, e -> {
            if (running.get()) {
              self().tell("next", self());
            }
          }))
          .build();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
