package io.minidynamo.storage.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The journal's files: an ordered list of segment files {@code segment-<20 digits>.log}, each a
 * sequence of {@link RecordFrame}s holding {@link JournalRecord}s. Only the highest-numbered
 * (active) segment is appended to.
 *
 * <p>Threading: exactly one thread (the group-commit writer) calls the mutating methods
 * ({@link #append}, {@link #force}, {@link #rollIfFull}, {@link #rollback}, {@link
 * #deleteSegment}); {@link #read} may be called from any thread. A read/write lock makes reads and
 * segment deletion exclusive, so a reader never sees a half-closed channel: it either reads the
 * record or learns that the segment is gone (which only happens once all its events are deleted).
 *
 * <p>Invariants: after {@link #open} every segment consists of whole valid frames; the active
 * channel's position equals its logical size; a failed batch is truncated away before anything
 * else is appended, so a failed write can never become garbage in the middle of the log.
 */
final class SegmentLog implements AutoCloseable {

  private static final Pattern SEGMENT_NAME = Pattern.compile("segment-(\\d{20})\\.log");

  /** Where one frame lives. */
  record Location(long segment, long offset, int frameBytes) {}

  /** A (segment, position) pair the active segment can be truncated back to. */
  record Mark(long segment, long position) {}

  /** What recovery cut from the end of the log. */
  record TailCut(Path file, long offset, long bytes, String reason) {}

  /** Summary of the start-up scan. */
  record RecoveryReport(int segments, long records, List<TailCut> cuts, long scanNanos) {}

  /** Opens segment files; a seam so tests can inject I/O faults such as a full disk. */
  interface ChannelOpener {
    FileChannel open(Path path, OpenOption... options) throws IOException;
  }

  /** Receives every valid record during recovery, in log order. */
  interface RecordVisitor {
    void visit(JournalRecord.Indexed record, Location location);
  }

  private final Path dir;
  private final long segmentSize;
  private final Durability durability;
  private final ChannelOpener opener;
  private final ConcurrentSkipListMap<Long, FileChannel> channels = new ConcurrentSkipListMap<>();
  private final ReentrantReadWriteLock segmentsLock = new ReentrantReadWriteLock();
  private volatile long totalBytes;
  private long activeSegment;
  private FileChannel active;
  private long activeSize;
  private Mark pendingTruncate;

  private SegmentLog(Path dir, long segmentSize, Durability durability, ChannelOpener opener) {
    this.dir = dir;
    this.opener = opener;
    this.segmentSize = segmentSize;
    this.durability = durability;
  }

  /**
   * Opens (creating if needed) the log in {@code dir}, feeding every valid record to {@code
   * visitor}. A torn or corrupt tail of the last non-empty segment is truncated and reported; any
   * other damage throws {@link CorruptJournalException} naming file and offset.
   */
  static Opened open(Path dir, long segmentSize, Durability durability, RecordVisitor visitor)
      throws IOException {
    return open(dir, segmentSize, durability, visitor, FileChannel::open);
  }

  static Opened open(
      Path dir,
      long segmentSize,
      Durability durability,
      RecordVisitor visitor,
      ChannelOpener opener)
      throws IOException {
    long start = System.nanoTime();
    Files.createDirectories(dir);
    SegmentLog log = new SegmentLog(dir, segmentSize, durability, opener);
    try {
      RecoveryScan scan = log.scan(visitor);
      log.activateLastSegment();
      return new Opened(
          log,
          new RecoveryReport(
              log.channels.size(), scan.records, List.copyOf(scan.cuts), System.nanoTime() - start));
    } catch (IOException | RuntimeException e) {
      log.close();
      throw e;
    }
  }

  /** The opened log plus what recovery found. */
  record Opened(SegmentLog log, RecoveryReport report) {}

  private static final class RecoveryScan {
    long records;
    final List<TailCut> cuts = new ArrayList<>();
  }

  private RecoveryScan scan(RecordVisitor visitor) throws IOException {
    List<Long> ids = listSegmentIds();
    for (long id : ids) {
      FileChannel channel =
          opener.open(segmentPath(id), StandardOpenOption.READ, StandardOpenOption.WRITE);
      channels.put(id, channel);
    }
    long lastNonEmpty = -1;
    for (long id : ids) {
      if (channels.get(id).size() > 0) {
        lastNonEmpty = id;
      }
    }
    RecoveryScan scan = new RecoveryScan();
    for (long id : ids) {
      scanSegment(id, id == lastNonEmpty, visitor, scan);
      totalBytes += channels.get(id).size();
    }
    return scan;
  }

  private void scanSegment(long id, boolean last, RecordVisitor visitor, RecoveryScan scan)
      throws IOException {
    FileChannel channel = channels.get(id);
    long size = channel.size();
    RecordFrame.Scanner scanner = new RecordFrame.Scanner(channel, size);
    long position = 0;
    while (position < size) {
      RecordFrame.ReadResult result = scanner.read(position);
      if (result instanceof RecordFrame.View view) {
        int frameBytes = (int) (view.next() - position);
        visitor.visit(summarize(view.payload(), id, position), new Location(id, position, frameBytes));
        scan.records++;
        position = view.next();
      } else {
        String reason = result.toString();
        if (!last || validFrameFollows(channel, position, size)) {
          throw new CorruptJournalException(segmentPath(id), position, reason);
        }
        cutTail(channel, id, position, size, reason, scan);
        return;
      }
    }
  }

  private JournalRecord.Indexed summarize(ByteBuffer payload, long segment, long position)
      throws IOException {
    try {
      return JournalRecord.summarize(payload);
    } catch (IOException | RuntimeException e) {
      // The checksum matched, so these bytes are what we wrote: an unknown format is never a torn
      // write and must not be cut.
      throw new CorruptJournalException(segmentPath(segment), position, "undecodable: " + e);
    }
  }

  private static boolean validFrameFollows(FileChannel channel, long position, long size)
      throws IOException {
    long from = position + 1;
    if (size - from > Integer.MAX_VALUE) {
      return true; // a tail that large is not a torn write; refuse to cut it
    }
    ByteBuffer rest = RecordFrame.readFully(channel, from, (int) (size - from));
    return RecordFrame.containsValidFrame(rest);
  }

  private void cutTail(
      FileChannel channel, long id, long position, long size, String reason, RecoveryScan scan)
      throws IOException {
    channel.truncate(position);
    if (durability == Durability.FSYNC) {
      channel.force(false);
    }
    scan.cuts.add(new TailCut(segmentPath(id), position, size - position, reason));
  }

  private void activateLastSegment() throws IOException {
    if (channels.isEmpty()) {
      createSegment(1);
    }
    activeSegment = channels.lastKey();
    active = channels.get(activeSegment);
    activeSize = active.size();
    active.position(activeSize);
  }

  private void createSegment(long id) throws IOException {
    FileChannel channel =
        opener.open(
            segmentPath(id),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    channels.put(id, channel);
    DurableFiles.forceDirectory(dir, durability);
  }

  /** Starts a new active segment once the current one has passed the configured size. */
  void rollIfFull() throws IOException {
    if (activeSize < segmentSize) {
      return;
    }
    long next = activeSegment + 1;
    createSegment(next);
    activeSegment = next;
    active = channels.get(next);
    activeSize = 0;
  }

  /** Appends frames to the active segment in one gathering write; returns their locations. */
  List<Location> append(List<ByteBuffer> frames) throws IOException {
    List<Location> locations = new ArrayList<>(frames.size());
    long position = activeSize;
    for (ByteBuffer frame : frames) {
      locations.add(new Location(activeSegment, position, frame.remaining()));
      position += frame.remaining();
    }
    DurableFiles.writeFully(active, frames.toArray(ByteBuffer[]::new));
    totalBytes += position - activeSize;
    activeSize = position;
    return locations;
  }

  /** Forces the active segment's content (not metadata: the size is covered by fdatasync). */
  void force() throws IOException {
    active.force(false);
  }

  Mark mark() {
    return new Mark(activeSegment, activeSize);
  }

  /**
   * Drops everything written after {@code mark}. If the truncate itself fails (the disk may be
   * gone), it is remembered and retried by {@link #ensureWritable} before any further append.
   */
  void rollback(Mark mark) throws IOException {
    pendingTruncate = mark;
    ensureWritable();
  }

  void ensureWritable() throws IOException {
    Mark mark = pendingTruncate;
    if (mark == null) {
      return;
    }
    if (mark.segment() != activeSegment) {
      throw new IllegalStateException("rollback across segments: " + mark);
    }
    active.truncate(mark.position());
    active.position(mark.position());
    totalBytes -= activeSize - mark.position();
    activeSize = mark.position();
    pendingTruncate = null;
  }

  /**
   * Reads a frame's payload (a buffer over exactly the payload bytes), or empty if its segment has
   * been deleted meanwhile.
   */
  Optional<ByteBuffer> read(Location location) throws IOException {
    segmentsLock.readLock().lock();
    try {
      FileChannel channel = channels.get(location.segment());
      if (channel == null) {
        return Optional.empty();
      }
      RecordFrame.ReadResult result =
          RecordFrame.readKnown(channel, location.offset(), location.frameBytes());
      if (result instanceof RecordFrame.View view) {
        return Optional.of(view.payload());
      }
      throw new CorruptJournalException(segmentPath(location.segment()), location.offset(),
          result.toString());
    } finally {
      segmentsLock.readLock().unlock();
    }
  }

  /** Deletes a non-active segment file; the caller guarantees nothing in it is needed. */
  void deleteSegment(long id) throws IOException {
    if (id == activeSegment) {
      throw new IllegalArgumentException("cannot delete the active segment " + id);
    }
    segmentsLock.writeLock().lock();
    try {
      FileChannel channel = channels.remove(id);
      if (channel == null) {
        return;
      }
      totalBytes -= channel.size();
      channel.close();
      Files.deleteIfExists(segmentPath(id));
    } finally {
      segmentsLock.writeLock().unlock();
    }
    DurableFiles.forceDirectory(dir, durability);
  }

  long activeSegment() {
    return activeSegment;
  }

  List<Long> segmentIds() {
    return List.copyOf(channels.keySet());
  }

  long totalBytes() {
    return totalBytes;
  }

  Path dir() {
    return dir;
  }

  Path segmentPath(long id) {
    return dir.resolve(String.format("segment-%020d.log", id));
  }

  private List<Long> listSegmentIds() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> SEGMENT_NAME.matcher(p.getFileName().toString()))
          .filter(Matcher::matches)
          .map(m -> Long.parseLong(m.group(1)))
          .sorted()
          .toList();
    }
  }

  @Override
  public void close() {
    segmentsLock.writeLock().lock();
    try {
      for (FileChannel channel : channels.values()) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // closing a channel we only read or already forced loses nothing
        }
      }
      channels.clear();
    } finally {
      segmentsLock.writeLock().unlock();
    }
  }
}
