package io.minidynamo.storage;

import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.io.NotSerializableException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
      Writer out = new Writer(encodedSize(record));
      write(out, record);
      return out.bytes();
    }
    if (o instanceof PartitionSnapshot snapshot) {
      int size = 5;
      for (Record record : snapshot.records()) {
        size += encodedSize(record);
      }
      Writer out = new Writer(size);
      out.varint(snapshot.records().size());
      for (Record record : snapshot.records()) {
        write(out, record);
      }
      return out.bytes();
    }
    throw new IllegalArgumentException("StorageSerializer cannot serialize " + o.getClass());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      Object result = switch (manifest) {
        case RECORD -> read(in);
        case SNAPSHOT -> readSnapshot(in);
        default -> throw new NotSerializableException(
            "unknown storage format manifest '" + manifest + "'");
      };
      if (in.hasRemaining()) {
        throw new NotSerializableException(
            in.remaining() + " bytes left after a " + manifest + " of " + bytes.length + " bytes");
      }
      return result;
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      NotSerializableException error = new NotSerializableException(
          "malformed " + manifest + " of " + bytes.length + " bytes: " + e);
      error.initCause(e);
      throw error;
    }
  }

  private static PartitionSnapshot readSnapshot(ByteBuffer in) {
    int count = readVarint(in);
    if (count < 0 || count > in.remaining()) {
      throw new IllegalArgumentException("invalid record count " + count);
    }
    List<Record> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      records.add(read(in));
    }
    return new PartitionSnapshot(records);
  }

  private static int encodedSize(Record record) {
    // flags + timestamp + three varints of at most 5 bytes + UTF-8 at most 3 bytes per char
    return 1 + 8 + 15 + 3 * record.key().length() + 3 * record.version().writer().length()
        + record.value().length;
  }

  private static void write(Writer out, Record record) {
    out.u8(record.tombstone() ? 1 : 0);
    out.string(record.key());
    out.i64(record.version().timestamp());
    out.string(record.version().writer());
    out.bytes(record.value());
  }

  private static Record read(ByteBuffer in) {
    int flags = in.get();
    if ((flags & ~1) != 0) {
      throw new IllegalArgumentException("unknown record flags " + flags);
    }
    String key = readString(in);
    long timestamp = in.getLong();
    String writer = readString(in);
    byte[] value = new byte[readLength(in)];
    in.get(value);
    return new Record(key, value, new Version(timestamp, writer), (flags & 1) != 0);
  }

  private static String readString(ByteBuffer in) {
    int length = readLength(in);
    String s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return s;
  }

  private static int readLength(ByteBuffer in) {
    int length = readVarint(in);
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("invalid length " + length);
    }
    return length;
  }

  private static int readVarint(ByteBuffer in) {
    int value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      byte b = in.get();
      value |= (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("varint longer than 5 bytes");
  }

  /** A byte array sized up front (an upper bound); {@link #bytes()} trims it. */
  private static final class Writer {
    private byte[] buffer;
    private int size;

    Writer(int capacity) {
      buffer = new byte[capacity];
    }

    void u8(int b) {
      buffer[size++] = (byte) b;
    }

    void i64(long v) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        buffer[size++] = (byte) (v >>> shift);
      }
    }

    void varint(int v) {
      while ((v & ~0x7f) != 0) {
        buffer[size++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buffer[size++] = (byte) v;
    }

    void bytes(byte[] b) {
      varint(b.length);
      System.arraycopy(b, 0, buffer, size, b.length);
      size += b.length;
    }

    void string(String s) {
      bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    byte[] bytes() {
      return size == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, size);
    }
  }
}
