package io.minidynamo.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.minidynamo.cluster.Reachability;
import io.minidynamo.coordinator.RepairBudget;
import io.minidynamo.storage.RecoveryStats;
import io.minidynamo.storage.journal.StorageStats;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Registers the meters that read state other parts of the node keep thread-safe: peer reachability,
 * read repairs, the journal (fsyncs, batch sizes, bytes) and recovery.
 */
public final class NodeGauges {
  private NodeGauges() {}

  public static void register(
      ActorSystem<?> system,
      List<String> peers,
      Reachability reachability,
      RepairBudget repairs,
      RecoveryStats recovery) {
    MeterRegistry registry = NodeMetrics.get(system).registry();
    for (String peer : peers) {
      Gauge.builder("minidynamo_peer_reachable", reachability, r -> r.isUnreachable(peer) ? 0 : 1)
          .description("1 unless the failure detector marks the peer unreachable")
          .tag("peer", peer)
          .strongReference(true)
          .register(registry);
    }
    FunctionCounter.builder("minidynamo_read_repairs", repairs, RepairBudget::sent)
        .description("read-repair writes sent").tag("result", "sent").register(registry);
    FunctionCounter.builder("minidynamo_read_repairs", repairs, RepairBudget::skipped)
        .description("read-repair writes skipped over budget").tag("result", "skipped")
        .register(registry);
    StorageStats storage = StorageStats.get(system);
    FunctionCounter.builder("minidynamo_journal_fsyncs", storage, s -> s.journal().fsyncs())
        .description("journal fsyncs (group commits)").register(registry);
    FunctionCounter.builder("minidynamo_journal_writes", storage, s -> s.journal().writes())
        .description("journal writes (atomic writes of persistent actors)").register(registry);
    FunctionCounter.builder("minidynamo_journal_batches", storage, s -> s.journal().batches())
        .description("journal batches (one fsync each with durability = fsync)").register(registry);
    Gauge.builder("minidynamo_journal_batch_writes_max", storage, s -> s.journal().maxWritesPerBatch())
        .description("largest number of writes one journal batch carried").register(registry);
    Gauge.builder("minidynamo_journal_bytes", storage, s -> s.journal().journalBytes())
        .description("bytes in journal segments").register(registry);
    Gauge.builder("minidynamo_snapshots_saved", storage, s -> s.snapshots().saved())
        .description("snapshots saved since start").register(registry);
    Gauge.builder("minidynamo_recovery_millis", recovery, r -> r.snapshot().recoveryMillis())
        .description("milliseconds from start until every partition recovered (-1 until then)")
        .register(registry);
    Gauge.builder("minidynamo_recovery_events_replayed", recovery, r -> r.snapshot().eventsReplayed())
        .description("journal events replayed at start").register(registry);
  }
}
