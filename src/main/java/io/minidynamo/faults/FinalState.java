package io.minidynamo.faults;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What a key holds after the run: the last-write-wins winner among the records its reachable
 * replicas hold, which is what any later read (with read repair) returns.
 *
 * <p>Invariant: {@code value} is non-null iff {@code kind == VALUE}; {@code timestamp} and
 * {@code writer} are 0 / null iff {@code kind == ABSENT}.
 *
 * @param kind a value, a tombstone, or nothing on any replica
 * @param value the value for {@code VALUE}
 * @param timestamp the winning record's version timestamp (µs since the epoch)
 * @param writer the node that stamped the winning record (the coordinator of its write)
 */
record FinalState(Kind kind, String value, long timestamp, String writer) {

  enum Kind { VALUE, TOMBSTONE, ABSENT }

  static final FinalState ABSENT = new FinalState(Kind.ABSENT, null, 0, null);

  /** Orders records as {@link io.minidynamo.versioning.Version} does: timestamp, then writer id. */
  static final Comparator<History.FinalRead> LWW =
      Comparator.comparingLong(History.FinalRead::timestamp)
          .thenComparing(History.FinalRead::writer, Comparator.nullsFirst(Comparator.naturalOrder()));

  /** The LWW winner of the records that reachable replicas of one key hold. */
  static FinalState of(List<History.FinalRead> replicas) {
    return replicas.stream()
        .filter(r -> r.reachable() && r.found())
        .max(LWW)
        .map(FinalState::ofRecord)
        .orElse(ABSENT);
  }

  /** One replica's own record, as a state. */
  static FinalState ofRecord(History.FinalRead r) {
    if (!r.reachable() || !r.found()) {
      return ABSENT;
    }
    return r.deleted()
        ? new FinalState(Kind.TOMBSTONE, null, r.timestamp(), r.writer())
        : new FinalState(Kind.VALUE, Objects.requireNonNullElse(r.value(), ""), r.timestamp(), r.writer());
  }

  /** Whether {@code write} (a PUT or DELETE) leaves exactly this state. */
  boolean isEffectOf(History.Operation write) {
    return write.kind() == History.OpKind.DELETE
        ? kind != Kind.VALUE
        : kind == Kind.VALUE && value.equals(write.value());
  }

  boolean isDeletedOrAbsent() {
    return kind != Kind.VALUE;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case VALUE -> "value '" + value + "' (ts " + timestamp + ", writer " + writer + ")";
      case TOMBSTONE -> "tombstone (ts " + timestamp + ", writer " + writer + ")";
      case ABSENT -> "absent";
    };
  }
}
