package io.minidynamo.versioning;

import io.minidynamo.CborSerializable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The version of a record: a hybrid-logical-clock timestamp (microseconds since the epoch, see
 * {@link HybridClock}) and the id of the node that stamped it. Last-write-wins: the higher
 * timestamp wins, the writer id breaks ties, so every node orders any two versions the same way.
 *
 * <p>This is the one type the rest of the code resolves conflicts through; dotted version vectors
 * with siblings are planned beside it.
 */
public record Version(long timestamp, String writer) implements CborSerializable {

  /** Writer ids are a handful of node ids: one instance each instead of one per stored record. */
  private static final ConcurrentMap<String, String> WRITERS = new ConcurrentHashMap<>();

  public Version {
    if (writer == null) {
      throw new IllegalArgumentException("writer must not be null");
    }
    writer = WRITERS.size() < 10_000 ? WRITERS.computeIfAbsent(writer, w -> w) : writer;
  }

  /** Whether this version happened before, after, or is the same as {@code other}. */
  public Occurred compare(Version other) {
    int c = Long.compare(timestamp, other.timestamp);
    if (c == 0) {
      c = writer.compareTo(other.writer);
    }
    return c < 0 ? Occurred.BEFORE : c > 0 ? Occurred.AFTER : Occurred.SAME;
  }

  public boolean isAfter(Version other) {
    return compare(other) == Occurred.AFTER;
  }
}
