package io.minidynamo.handoff;

import io.minidynamo.CborSerializable;
import io.minidynamo.versioning.Record;

/** A record held for a replica that missed it: to be delivered to {@code target}'s partition. */
public record Hint(long id, String target, int partition, Record record, long storedAtMillis)
    implements CborSerializable {}
