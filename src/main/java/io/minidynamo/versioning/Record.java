package io.minidynamo.versioning;

import io.minidynamo.CborSerializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One stored key: its value bytes, version and tombstone flag. A delete is a tombstone (empty value)
 * written through the same path as a put, so it replicates, repairs and wins by version like any
 * write. Immutable: {@code value} is never modified after construction.
 *
 * <p>{@code equals}/{@code hashCode} are written by hand because the value is a byte array.
 */
public record Record(String key, byte[] value, Version version, boolean tombstone)
    implements CborSerializable {

  private static final byte[] EMPTY = new byte[0];

  public Record {
    if (key == null || version == null) {
      throw new IllegalArgumentException("key and version are required");
    }
    value = value == null ? EMPTY : value;
  }

  public static Record put(String key, byte[] value, Version version) {
    return new Record(key, value, version, false);
  }

  public static Record tombstone(String key, Version version) {
    return new Record(key, EMPTY, version, true);
  }

  /** Last-write-wins: the record with the higher version; {@code current} may be null. */
  public static Record newer(Record current, Record incoming) {
    if (current == null) {
      return incoming;
    }
    if (incoming == null) {
      return current;
    }
    return incoming.version.isAfter(current.version) ? incoming : current;
  }

  /** Whether this record would replace {@code current} (null: nothing stored) under LWW. */
  public boolean supersedes(Record current) {
    return current == null || version.isAfter(current.version);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Record other
        && key.equals(other.key)
        && tombstone == other.tombstone
        && version.equals(other.version)
        && Arrays.equals(value, other.value);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * key.hashCode() + version.hashCode()) + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    String shown = value.length <= 32
        ? new String(value, StandardCharsets.UTF_8)
        : value.length + " bytes";
    return "Record[" + key + (tombstone ? ", tombstone" : ", " + shown) + ", " + version + "]";
  }
}
