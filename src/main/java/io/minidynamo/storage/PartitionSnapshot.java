package io.minidynamo.storage;

import io.minidynamo.CborSerializable;
import io.minidynamo.versioning.Record;
import java.util.List;

/** The serialized form of a {@link PartitionState}: its records, in no particular order. */
public record PartitionSnapshot(List<Record> records) implements CborSerializable {
  public PartitionSnapshot {
    records = List.copyOf(records);
  }
}
