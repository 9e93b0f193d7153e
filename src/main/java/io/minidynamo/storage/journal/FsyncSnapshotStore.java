package io.minidynamo.storage.journal;

import com.typesafe.config.Config;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.serialization.Snapshot;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.util.Try;

/**
 * Durable Pekko Persistence snapshot store: one file per snapshot under {@code <dir>/snapshots},
 * named {@code snapshot-<url-encoded pid>-<seqNr>-<timestamp>.snap}, holding a single {@link
 * RecordFrame} (CRC32C) with the metadata and the snapshot serialized through Pekko's {@code
 * Snapshot} serializer (which records serializer id and manifest).
 *
 * <p>Invariants: a snapshot file is either absent or complete (temp file, force, atomic rename,
 * directory force); a corrupt or unreadable newest snapshot is logged and skipped in favour of
 * the next older matching one, because replaying more events from the journal is always correct
 * while failing recovery is not. With {@code durability = none} forces are skipped. Saves and
 * deletes run on the plugin's (pinned) dispatcher, so they are serialized; loads (reading and
 * deserializing, the bulk of a node's start) run on {@code load-dispatcher}, so the partitions'
 * snapshots load in parallel. A load never races a delete of the file it picks: Pekko deletes only
 * snapshots older than one it saved, and a persistent actor loads before it saves.
 */
public final class FsyncSnapshotStore extends SnapshotStore {

  private static final String PREFIX = "snapshot-";
  private static final String SUFFIX = ".snap";

  /** A snapshot file and the metadata encoded in its name. */
  private record SnapshotFile(Path path, String persistenceId, long sequenceNr, long timestamp) {
    SnapshotMetadata metadata() {
      return SnapshotMetadata.apply(persistenceId, sequenceNr, timestamp);
    }
  }

  private static final Comparator<SnapshotFile> NEWEST_FIRST =
      Comparator.comparingLong(SnapshotFile::sequenceNr)
          .thenComparingLong(SnapshotFile::timestamp)
          .reversed();

  private final Serialization serialization = SerializationExtension.get(context().system());
  private final Path dir;
  private final Durability durability;
  private final AtomicLong saved = new AtomicLong();
  private final AtomicLong lastSize = new AtomicLong();
  private final AtomicLong totalBytes = new AtomicLong();
  private final AtomicLong loads = new AtomicLong();
  private final AtomicLong fallbacks = new AtomicLong();
  private final Supplier<SnapshotStats> statsSource = this::stats;
  private final ExecutionContext loadContext;

  public FsyncSnapshotStore(Config config) throws IOException {
    this.dir = Path.of(config.getString("dir")).resolve("snapshots");
    this.durability = Durability.parse(config.getString("durability"));
    this.loadContext = context().system().dispatchers().lookup(config.getString("load-dispatcher"));
    Files.createDirectories(dir);
    StorageStats.get(context().system()).registerSnapshots(statsSource);
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(
      String persistenceId, SnapshotSelectionCriteria criteria) {
    return Futures.future(() -> load(persistenceId, criteria), loadContext);
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    return attempt(() -> save(metadata, snapshot));
  }

  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    return attempt(
        () ->
            delete(
                metadata.persistenceId(),
                f ->
                    f.sequenceNr() == metadata.sequenceNr()
                        // a zero timestamp means "any timestamp" (Pekko's convention)
                        && (metadata.timestamp() == 0 || f.timestamp() == metadata.timestamp())));
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return attempt(() -> delete(persistenceId, f -> criteria.matches(f.metadata())));
  }

  @Override
  public void postStop() {
    StorageStats.get(context().system()).unregisterSnapshots(statsSource);
  }

  private Optional<SelectedSnapshot> load(String pid, SnapshotSelectionCriteria criteria)
      throws IOException {
    loads.incrementAndGet();
    List<SnapshotFile> candidates =
        list(pid).filter(f -> criteria.matches(f.metadata())).sorted(NEWEST_FIRST).toList();
    for (SnapshotFile file : candidates) {
      try {
        return Optional.of(SelectedSnapshot.create(file.metadata(), read(file)));
      } catch (IOException | RuntimeException e) {
        fallbacks.incrementAndGet();
        log().warning("skipping unreadable snapshot {}, trying an older one: {}", file.path(), e);
      }
    }
    return Optional.empty();
  }

  private Void save(SnapshotMetadata metadata, Object snapshot) throws IOException {
    byte[] serialized = orThrow(serialization.serialize(new Snapshot(snapshot)));
    ByteBuffer frame = RecordFrame.encode(encode(metadata, serialized));
    int size = frame.remaining();
    Path target = dir.resolve(fileName(metadata));
    DurableFiles.writeAtomically(target, frame, durability);
    saved.incrementAndGet();
    lastSize.set(size);
    totalBytes.addAndGet(size);
    return null;
  }

  private Void delete(String pid, Predicate<SnapshotFile> which) throws IOException {
    List<SnapshotFile> doomed = list(pid).filter(which).toList();
    for (SnapshotFile file : doomed) {
      Files.deleteIfExists(file.path());
    }
    if (!doomed.isEmpty()) {
      DurableFiles.forceDirectory(dir, durability);
    }
    return null;
  }

  private Object read(SnapshotFile file) throws IOException {
    try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ)) {
      long size = channel.size();
      RecordFrame.ReadResult result = RecordFrame.read(channel, 0, size);
      if (!(result instanceof RecordFrame.Valid valid) || valid.next() != size) {
        throw new IOException("corrupt snapshot file " + file.path() + ": " + result);
      }
      return decode(valid.payload(), file);
    }
  }

  private static byte[] encode(SnapshotMetadata metadata, byte[] serialized) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(serialized.length + 64);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeUTF(metadata.persistenceId());
      out.writeLong(metadata.sequenceNr());
      out.writeLong(metadata.timestamp());
      out.writeInt(serialized.length);
      out.write(serialized);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException impossible) {
      throw new UncheckedIOException("in-memory stream failed", impossible);
    }
  }

  private Object decode(byte[] payload, SnapshotFile file) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
    String pid = in.readUTF();
    long seqNr = in.readLong();
    in.readLong(); // timestamp: the file name is authoritative, it was written from the same value
    if (!pid.equals(file.persistenceId()) || seqNr != file.sequenceNr()) {
      throw new IOException("snapshot file " + file.path() + " holds " + pid + "/" + seqNr);
    }
    byte[] serialized = in.readNBytes(in.readInt());
    return orThrow(serialization.deserialize(serialized, Snapshot.class)).data();
  }

  private Stream<SnapshotFile> list(String pid) throws IOException {
    String prefix = PREFIX + encodePid(pid) + "-";
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> parse(p, prefix, pid))
          .flatMap(Optional::stream)
          .toList()
          .stream();
    }
  }

  private static Optional<SnapshotFile> parse(Path path, String prefix, String pid) {
    String name = path.getFileName().toString();
    if (!name.startsWith(prefix) || !name.endsWith(SUFFIX)) {
      return Optional.empty();
    }
    // pid encoding keeps '-', so "a" must not match files of "a-1": exactly two numbers remain
    String[] numbers = name.substring(prefix.length(), name.length() - SUFFIX.length()).split("-");
    if (numbers.length != 2) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new SnapshotFile(path, pid, Long.parseLong(numbers[0]), Long.parseLong(numbers[1])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String fileName(SnapshotMetadata md) {
    return PREFIX + encodePid(md.persistenceId()) + "-" + md.sequenceNr() + "-" + md.timestamp()
        + SUFFIX;
  }

  private static String encodePid(String pid) {
    return URLEncoder.encode(pid, StandardCharsets.UTF_8);
  }

  private static <T> T orThrow(Try<T> result) throws IOException {
    if (result.isFailure()) {
      throw new IOException("snapshot (de)serialization failed", result.failed().get());
    }
    return result.get();
  }

  private SnapshotStats stats() {
    return new SnapshotStats(
        saved.get(), lastSize.get(), totalBytes.get(), loads.get(), fallbacks.get());
  }

  /** Runs blocking file work on this actor's thread and turns its outcome into a future. */
  private static <T> Future<T> attempt(Callable<T> work) {
    try {
      return Futures.successful(work.call());
    } catch (Exception e) {
      return Futures.failed(e);
    }
  }
}
