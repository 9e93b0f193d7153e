package io.minidynamo.storage.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.event.LoggingAdapter;

/**
 * The single thread that owns the journal's active segment. Callers enqueue appends and deletion
 * markers; the thread drains everything queued, writes it with one gathering write, forces once
 * (with {@link Durability#FSYNC}), updates the index and only then completes the callers'
 * futures. Writes that arrive while a force is in progress therefore share the next one.
 *
 * <p>Invariants: the file order of records equals enqueue order; the index only ever describes
 * durable records (a future completes, and a reader can see the record, only after its force); a
 * failed batch is rolled back and fails only its own futures, the thread keeps serving.
 */
final class GroupCommitWriter implements AutoCloseable {

  private sealed interface Op permits Append, Delete, Stop {}

  private record Append(List<JournalRecord.Write> writes, CompletableFuture<Void> done)
      implements Op {}

  private record Delete(String pid, long toSequenceNr, CompletableFuture<Void> done)
      implements Op {}

  private record Stop() implements Op {}

  /** A record of the current batch together with the op it came from. */
  private record Staged(Op op, JournalRecord record) {}

  private final SegmentLog log;
  private final JournalIndex index;
  private final Durability durability;
  private final LoggingAdapter logger;
  private final BatchStats stats = new BatchStats();
  private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean stopped;

  GroupCommitWriter(
      SegmentLog log, JournalIndex index, Durability durability, LoggingAdapter logger) {
    this.log = log;
    this.index = index;
    this.durability = durability;
    this.logger = logger;
    this.thread = new Thread(this::run, "mini-dynamo-journal-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Completes once all {@code writes} are durable (immediately if there are none). */
  CompletableFuture<Void> append(List<JournalRecord.Write> writes) {
    if (writes.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return enqueue(new Append(List.copyOf(writes), new CompletableFuture<>()));
  }

  /** Completes once a deletion marker for {@code pid} up to {@code toSequenceNr} is durable. */
  CompletableFuture<Void> delete(String pid, long toSequenceNr) {
    return enqueue(new Delete(pid, toSequenceNr, new CompletableFuture<>()));
  }

  BatchStats.Snapshot stats() {
    return stats.snapshot();
  }

  private CompletableFuture<Void> enqueue(Op op) {
    CompletableFuture<Void> done = done(op);
    if (stopped) {
      done.completeExceptionally(new IllegalStateException("journal writer stopped"));
    } else {
      queue.add(op);
    }
    return done;
  }

  private void run() {
    List<Op> batch = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      batch.clear();
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        break;
      }
      queue.drainTo(batch);
      stop = batch.removeIf(op -> op instanceof Stop);
      if (!batch.isEmpty()) {
        commit(batch);
      }
    }
    failRemaining();
  }

  private void commit(List<Op> batch) {
    List<Staged> staged;
    List<SegmentLog.Location> locations;
    SegmentLog.Mark mark = null;
    try {
      log.ensureWritable();
      log.rollIfFull();
      mark = log.mark();
      staged = stage(batch);
      locations = log.append(frames(staged));
      if (durability == Durability.FSYNC) {
        log.force();
        stats.recordFsync();
      }
    } catch (IOException | RuntimeException e) {
      rollback(mark, e);
      batch.forEach(op -> done(op).completeExceptionally(e));
      return;
    }
    stats.recordBatch(countWrites(batch), countEvents(batch));
    applyToIndex(staged, locations);
    batch.forEach(op -> done(op).complete(null));
    if (batch.stream().anyMatch(op -> op instanceof Delete)) {
      collectGarbage();
    }
  }

  /**
   * Turns ops into records. A delete marker records {@code min(toSequenceNr, highest)} including
   * writes staged earlier in this batch, so a later write with a higher number stays visible.
   */
  private List<Staged> stage(List<Op> batch) {
    Map<String, Long> stagedHighest = new HashMap<>();
    List<Staged> staged = new ArrayList<>();
    for (Op op : batch) {
      if (op instanceof Append append) {
        for (JournalRecord.Write w : append.writes()) {
          stagedHighest.merge(w.persistenceId(), w.highestSequenceNr(), Math::max);
          staged.add(new Staged(op, w));
        }
      } else if (op instanceof Delete delete) {
        long highest =
            Math.max(
                index.highestSequenceNr(delete.pid()),
                stagedHighest.getOrDefault(delete.pid(), 0L));
        long deletedTo = Math.min(delete.toSequenceNr(), highest);
        staged.add(new Staged(op, new JournalRecord.Delete(delete.pid(), deletedTo, highest)));
      }
    }
    return staged;
  }

  private static List<ByteBuffer> frames(List<Staged> staged) {
    List<ByteBuffer> frames = new ArrayList<>(staged.size());
    for (Staged s : staged) {
      frames.add(RecordFrame.encode(s.record().encode()));
    }
    return frames;
  }

  private void applyToIndex(List<Staged> staged, List<SegmentLog.Location> locations) {
    for (int i = 0; i < staged.size(); i++) {
      apply(index, staged.get(i).record(), locations.get(i));
    }
  }

  /** Applies one durable record to the index; also used by recovery. */
  static void apply(JournalIndex index, JournalRecord record, SegmentLog.Location location) {
    if (record instanceof JournalRecord.Write w) {
      applyIndexed(index, w.span(), location);
    } else if (record instanceof JournalRecord.Delete d) {
      applyIndexed(index, d, location);
    }
  }

  /** Applies what recovery read of one durable record to the index. */
  static void applyIndexed(JournalIndex index, JournalRecord.Indexed record, SegmentLog.Location location) {
    if (record instanceof JournalRecord.Span s) {
      index.applyWrite(s.persistenceId(), location, s.lowestSequenceNr(), s.highestSequenceNr());
    } else if (record instanceof JournalRecord.Delete d) {
      index.applyDelete(d, location.segment());
    }
  }

  private void rollback(SegmentLog.Mark mark, Exception cause) {
    logger.error(cause, "journal batch failed; its writes are rolled back and failed");
    if (mark == null) {
      return;
    }
    try {
      log.rollback(mark);
    } catch (IOException | RuntimeException e) {
      logger.error(e, "could not truncate failed batch at {}; retrying before next write", mark);
    }
  }

  /**
   * Deletes segments that hold only deleted events. Latest deletion markers living in such a
   * segment are first re-appended (and forced) to the active segment, so that deleted-to and the
   * highest sequence number survive the file. Failures are logged only: the deletes themselves are
   * already durable, and the next delete retries the cleanup.
   */
  private void collectGarbage() {
    List<Long> segments = index.deletableSegments(log.activeSegment());
    if (segments.isEmpty()) {
      return;
    }
    try {
      carryForwardMarkers(segments);
      for (long segment : segments) {
        log.deleteSegment(segment);
        index.segmentRemoved(segment);
        logger.info("deleted journal segment {} (all events deleted)", log.segmentPath(segment));
      }
    } catch (IOException | RuntimeException e) {
      logger.error(e, "journal segment cleanup failed; will retry on next delete");
    }
  }

  private void carryForwardMarkers(List<Long> segments) throws IOException {
    List<Staged> markers = new ArrayList<>();
    for (long segment : segments) {
      index.markersIn(segment).forEach(m -> markers.add(new Staged(null, m)));
    }
    if (markers.isEmpty()) {
      return;
    }
    SegmentLog.Mark mark = log.mark();
    try {
      List<SegmentLog.Location> locations = log.append(frames(markers));
      if (durability == Durability.FSYNC) {
        log.force();
        stats.recordFsync();
      }
      applyToIndex(markers, locations);
    } catch (IOException | RuntimeException e) {
      log.rollback(mark);
      throw e;
    }
  }

  private static int countWrites(List<Op> batch) {
    int writes = 0;
    for (Op op : batch) {
      if (op instanceof Append a) {
        writes += a.writes().size();
      }
    }
    return writes;
  }

  private static int countEvents(List<Op> batch) {
    int events = 0;
    for (Op op : batch) {
      if (op instanceof Append a) {
        for (JournalRecord.Write w : a.writes()) {
          events += w.events().size();
        }
      }
    }
    return events;
  }

  private static CompletableFuture<Void> done(Op op) {
    if (op instanceof Append a) {
      return a.done();
    } else if (op instanceof Delete d) {
      return d.done();
    }
    return new CompletableFuture<>();
  }

  private void failRemaining() {
    stopped = true;
    List<Op> rest = new ArrayList<>();
    queue.drainTo(rest);
    IllegalStateException stoppedError = new IllegalStateException("journal writer stopped");
    rest.forEach(op -> done(op).completeExceptionally(stoppedError));
  }

  /** Stops the thread after the ops queued so far are committed. */
  @Override
  public void close() {
    queue.add(new Stop());
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
