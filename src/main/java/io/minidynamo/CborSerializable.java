package io.minidynamo;

/**
 * Marker for every message, event and snapshot that crosses a JVM or reaches the journal: bound to
 * Pekko's {@code jackson-cbor} serializer in {@code application.conf}. Records need no annotations.
 */
public interface CborSerializable {}
