package io.minidynamo.storage;

import io.minidynamo.storage.RecordCodec.Writer;
import io.minidynamo.versioning.Record;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * The on-disk format of a replica's events ({@link Record}) and snapshots ({@link
 * PartitionSnapshot}): compact binary, no field names, bound to those two classes in {@code
 * application.conf}. A record is about 20 bytes plus its key, writer and value, against about 60
 * for CBOR with field names, and decodes without a parser.
 *
 * <p>Format (manifest {@code "R1"} for a record, {@code "S1"} for a snapshot; a new format gets a
 * new manifest and this class keeps reading the old ones):
 *
 * <pre>
 * record   = flags:u8 (bit 0: tombstone) key:str timestamp:i64 writer:str value:bytes
 * snapshot = count:varint record*count
 * str      = bytes of UTF-8;  bytes = length:varint byte*length;  integers big endian
 * </pre>
 *
 * <p>Events and snapshots written before this serializer existed (Jackson CBOR) stay readable:
 * Pekko stores each payload's serializer id with it and {@code jackson-cbor} remains bound to
 * {@code CborSerializable}, which both classes still implement.
 */
public final class StorageSerializer extends SerializerWithStringManifest {

  /** Unique among the serializers of the actor system; Pekko reserves 0-40. */
  public static final int IDENTIFIER = 7301;

  static final String RECORD = "R1";
  static final String SNAPSHOT = "S1";

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof Record) {
      return RECORD;
    }
    if (o instanceof PartitionSnapshot) {
      return SNAPSHOT;
    }
    throw new IllegalArgumentException("StorageSerializer cannot serialize " + o.getClass());
  }

  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof Record record) {
      Writer out = new Writer(RecordCodec.maxSize(record));
      RecordCodec.write(out, record);
      return out.bytes();
    }
    if (o instanceof PartitionSnapshot snapshot) {
      int size = 5;
      for (Record record : snapshot.records()) {
        size += RecordCodec.maxSize(record);
      }
      Writer out = new Writer(size);
      out.varint(snapshot.records().size());
      for (Record record : snapshot.records()) {
        RecordCodec.write(out, record);
      }
      return out.bytes();
    }
    throw new IllegalArgumentException("StorageSerializer cannot serialize " + o.getClass());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    return RecordCodec.decodeWhole(bytes, manifest, in -> switch (manifest) {
      case RECORD -> RecordCodec.read(in);
      case SNAPSHOT -> readSnapshot(in);
      default -> throw new NotSerializableException(
          "unknown storage format manifest '" + manifest + "'");
    });
  }

  private static PartitionSnapshot readSnapshot(ByteBuffer in) {
    int count = RecordCodec.readVarint(in);
    if (count < 0 || count > in.remaining()) {
      throw new IllegalArgumentException("invalid record count " + count);
    }
    List<Record> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      records.add(RecordCodec.read(in));
    }
    return new PartitionSnapshot(records);
  }
}
