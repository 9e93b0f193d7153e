package io.minidynamo.storage.journal;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;
import scala.util.Try;

/**
 * Durable Pekko Persistence journal: an append-only log of checksummed records in segment files
 * under {@code <dir>/journal}, with group commit and an in-memory index.
 *
 * <p>Invariants and design:
 *
 * <ul>
 *   <li>One frame ({@code int length, int crc32c, payload}) per {@code AtomicWrite}: all events of
 *       a {@code persistAll} survive a crash together or not at all.
 *   <li>A write is acknowledged only after the group-commit writer forced it ({@code durability =
 *       fsync}); concurrent writers share one force. Events that cannot be serialized reject their
 *       own AtomicWrite only.
 *   <li>At start all segments are scanned in order to rebuild the index. A torn or corrupt tail of
 *       the last non-empty segment is cut and logged; damage followed by valid data, or in an
 *       earlier segment, fails the plugin start with file and offset (never a silent skip).
 *   <li>{@code deleteMessagesTo} appends a forced deletion marker {@code (pid, deletedTo,
 *       highest)}. The highest sequence number is thus stored with every marker and never lost. A
 *       non-active segment whose events are all deleted is removed; before that, the latest marker
 *       of any persistence id that lives in that segment is re-appended (carried forward) to the
 *       active segment and forced, so deletion state always survives the segment it was in.
 *   <li>A {@code LOCK} file guards the directory against a second journal in another process.
 * </ul>
 */
public final class SegmentJournal extends AsyncWriteJournal {

  private final LoggingAdapter log = Logging.getLogger(context().system(), this);
  private final Serialization serialization = SerializationExtension.get(context().system());
  private final JournalSettings settings;
  private final ExecutionContext replayContext;
  private final JournalIndex index = new JournalIndex();
  private final FileLock dirLock;
  private final SegmentLog segments;
  private final SegmentLog.RecoveryReport recovery;
  private final GroupCommitWriter writer;
  private final Supplier<JournalStats> statsSource = this::stats;

  public SegmentJournal(Config config) throws IOException {
    this.settings = JournalSettings.from(config);
    this.replayContext = context().system().dispatchers().lookup(settings.replayDispatcher());
    Files.createDirectories(settings.segmentDir());
    this.dirLock = lockDirectory(settings.segmentDir());
    try {
      SegmentLog.Opened opened =
          SegmentLog.open(
              settings.segmentDir(),
              settings.segmentSize(),
              settings.durability(),
              (record, location) -> GroupCommitWriter.applyIndexed(index, record, location));
      this.segments = opened.log();
      this.recovery = opened.report();
    } catch (IOException | RuntimeException e) {
      releaseLock(dirLock);
      throw e;
    }
    segments.segmentIds().forEach(index::registerSegment);
    logRecovery();
    if (settings.unsafeSkipPersist()) {
      log.error("UNSAFE TEST SETTING mini-dynamo.test.unsafe-skip-persist = on: writes are acknowledged "
          + "WITHOUT being written to the journal; every write is lost when the node dies. "
          + "Only for the fault-injection suite's self-test.");
    }
    this.writer = new GroupCommitWriter(segments, index, settings.durability(), log);
    StorageStats.get(context().system()).registerJournal(statsSource);
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(
      Iterable<AtomicWrite> messages) {
    List<Optional<Exception>> results = new ArrayList<>();
    List<JournalRecord.Write> accepted = new ArrayList<>();
    for (AtomicWrite write : messages) {
      try {
        accepted.add(toRecord(write));
        results.add(Optional.empty());
      } catch (Exception rejected) {
        results.add(Optional.of(rejected));
      }
    }
    Iterable<Optional<Exception>> outcome = results;
    if (settings.unsafeSkipPersist()) {
      return Futures.successful(outcome); // the deliberate bug: acknowledged, never written
    }
    return FutureConverters.asScala(writer.append(accepted).thenApply(done -> outcome));
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    if (settings.unsafeSkipPersist()) {
      return Futures.successful(null);
    }
    return FutureConverters.asScala(writer.delete(persistenceId, toSequenceNr));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId,
      long fromSequenceNr,
      long toSequenceNr,
      long max,
      Consumer<PersistentRepr> replayCallback) {
    // File reads block: keep them off the journal actor's dispatcher.
    return Futures.future(
        () -> {
          replay(persistenceId, fromSequenceNr, toSequenceNr, max, replayCallback);
          return null;
        },
        replayContext);
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return Futures.successful(index.highestSequenceNr(persistenceId));
  }

  @Override
  public void postStop() {
    StorageStats.get(context().system()).unregisterJournal(statsSource);
    writer.close();
    segments.close();
    releaseLock(dirLock);
  }

  private JournalRecord.Write toRecord(AtomicWrite write) throws Exception {
    List<JournalRecord.Event> events = new ArrayList<>();
    for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
      events.add(new JournalRecord.Event(repr.sequenceNr(), serialize(repr)));
    }
    return new JournalRecord.Write(write.persistenceId(), events);
  }

  private byte[] serialize(PersistentRepr repr) throws Exception {
    Try<byte[]> bytes = serialization.serialize(repr);
    if (bytes.isFailure()) {
      Throwable cause = bytes.failed().get();
      throw cause instanceof Exception e ? e : new IllegalArgumentException(cause);
    }
    return bytes.get();
  }

  private void replay(
      String pid, long from, long to, long max, Consumer<PersistentRepr> callback)
      throws IOException {
    long replayed = 0;
    long deletedTo = index.deletedTo(pid);
    for (JournalIndex.Entry entry : index.entries(pid, from, to)) {
      Optional<java.nio.ByteBuffer> payload = segments.read(entry.location());
      if (payload.isEmpty()) {
        continue; // segment removed meanwhile: all its events were deleted
      }
      JournalRecord.Write write = (JournalRecord.Write) JournalRecord.decode(payload.get());
      for (JournalRecord.Event event : write.events()) {
        long seqNr = event.sequenceNr();
        if (replayed >= max) {
          return;
        }
        if (seqNr >= from && seqNr <= to && seqNr > deletedTo) {
          callback.accept(deserialize(event.serializedRepr()));
          replayed++;
        }
      }
    }
  }

  private PersistentRepr deserialize(byte[] bytes) throws IOException {
    Try<PersistentRepr> repr = serialization.deserialize(bytes, PersistentRepr.class);
    if (repr.isFailure()) {
      throw new IOException("cannot deserialize journal event", repr.failed().get());
    }
    return repr.get();
  }

  private JournalStats stats() {
    BatchStats.Snapshot batches = writer.stats();
    long bytesCut = 0;
    for (SegmentLog.TailCut cut : recovery.cuts()) {
      bytesCut += cut.bytes();
    }
    return new JournalStats(
        true,
        settings.segmentDir().toAbsolutePath().toString(),
        segments.totalBytes(),
        segments.segmentIds().size(),
        settings.durability().name().toLowerCase(java.util.Locale.ROOT),
        batches.fsyncs(),
        batches.batches(),
        batches.writes(),
        batches.events(),
        batches.meanWritesPerBatch(),
        batches.maxWritesPerBatch(),
        batches.meanEventsPerBatch(),
        batches.maxEventsPerBatch(),
        recovery.cuts().size(),
        bytesCut,
        TimeUnit.NANOSECONDS.toMillis(recovery.scanNanos()));
  }

  private void logRecovery() {
    for (SegmentLog.TailCut cut : recovery.cuts()) {
      log.warning(
          "journal recovery cut torn/corrupt tail: file {} offset {} bytes {} ({})",
          cut.file(),
          cut.offset(),
          cut.bytes(),
          cut.reason());
    }
    log.info(
        "journal {} recovered: {} segments, {} records in {} ms",
        settings.segmentDir().toAbsolutePath(),
        recovery.segments(),
        recovery.records(),
        TimeUnit.NANOSECONDS.toMillis(recovery.scanNanos()));
  }

  private static FileLock lockDirectory(Path dir) throws IOException {
    FileChannel channel =
        FileChannel.open(
            dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new IOException("journal directory " + dir + " is in use by another process");
      }
      return lock;
    } catch (IOException | OverlappingFileLockException e) {
      channel.close();
      throw e instanceof IOException io
          ? io
          : new IOException("journal directory " + dir + " is in use in this JVM", e);
    }
  }

  private static void releaseLock(FileLock lock) {
    try {
      lock.channel().close();
    } catch (IOException ignored) {
      // the OS releases the lock with the process anyway
    }
  }
}
