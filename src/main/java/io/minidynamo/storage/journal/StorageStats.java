package io.minidynamo.storage.journal;

import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Per-actor-system access to the storage plugins' statistics for a debug endpoint. The plugins
 * register a supplier when they start and withdraw it when they stop; readers get immutable
 * records and never block the plugins beyond one short lock.
 *
 * <pre>{@code
 * JournalStats journal = StorageStats.get(system).journal();
 * SnapshotStats snapshots = StorageStats.get(system).snapshots();
 * }</pre>
 */
public final class StorageStats implements Extension {

  private static final Id ID = new Id();

  private volatile Supplier<JournalStats> journal;
  private volatile Supplier<SnapshotStats> snapshots;

  private StorageStats() {}

  public static StorageStats get(ActorSystem system) {
    return ID.get(system);
  }

  public static StorageStats get(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return get(Adapter.toClassic(system));
  }

  /** The running journal's stats, or {@link JournalStats#running()} false if none runs. */
  public JournalStats journal() {
    Supplier<JournalStats> s = journal;
    return s == null ? JournalStats.NOT_RUNNING : s.get();
  }

  /** The running snapshot store's stats, or all zeros if none runs. */
  public SnapshotStats snapshots() {
    Supplier<SnapshotStats> s = snapshots;
    return s == null ? SnapshotStats.NONE : s.get();
  }

  synchronized void registerJournal(Supplier<JournalStats> source) {
    journal = source;
  }

  synchronized void unregisterJournal(Supplier<JournalStats> source) {
    if (journal == source) {
      journal = null;
    }
  }

  synchronized void registerSnapshots(Supplier<SnapshotStats> source) {
    snapshots = source;
  }

  synchronized void unregisterSnapshots(Supplier<SnapshotStats> source) {
    if (snapshots == source) {
      snapshots = null;
    }
  }

  private static final class Id extends AbstractExtensionId<StorageStats>
      implements ExtensionIdProvider {
    @Override
    public StorageStats createExtension(ExtendedActorSystem system) {
      return new StorageStats();
    }

    @Override
    public Id lookup() {
      return this;
    }
  }
}
