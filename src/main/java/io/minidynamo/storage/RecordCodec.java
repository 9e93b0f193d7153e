package io.minidynamo.storage;

import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.io.NotSerializableException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The compact binary encoding of a {@link Record} and of the strings and byte arrays around it,
 * shared by the on-disk format ({@link StorageSerializer}) and the replica messages on the wire
 * ({@code replica.ReplicaWireSerializer}):
 *
 * <pre>
 * record = flags:u8 (bit 0: tombstone) key:str timestamp:i64 writer:str value:bytes
 * str    = bytes of UTF-8;  bytes = length:varint byte*length;  integers big endian
 * </pre>
 *
 * <p>Readers throw {@link IllegalArgumentException} or {@link java.nio.BufferUnderflowException} on
 * malformed input; serializers turn both into {@link java.io.NotSerializableException}.
 */
public final class RecordCodec {
  private RecordCodec() {}

  /** Reads one message from {@code in}; throws for an unknown manifest. */
  @FunctionalInterface
  public interface Decoder {
    Object decode(ByteBuffer in) throws NotSerializableException;
  }

  /**
   * Decodes {@code bytes} of {@code manifest} with {@code decoder}: trailing bytes and malformed
   * input become a {@link NotSerializableException} naming the manifest and the size, never a
   * wrong message.
   */
  public static Object decodeWhole(byte[] bytes, String manifest, Decoder decoder)
      throws NotSerializableException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      Object result = decoder.decode(in);
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

  /** An upper bound of {@link #write}'s output for this record. */
  public static int maxSize(Record record) {
    // flags + timestamp + three varints of at most 5 bytes + UTF-8 at most 3 bytes per char
    return 1 + 8 + 15 + 3 * record.key().length() + 3 * record.version().writer().length()
        + record.value().length;
  }

  /** An upper bound of {@link Writer#string}'s output for this string. */
  public static int maxSize(String s) {
    return 5 + 3 * s.length();
  }

  public static void write(Writer out, Record record) {
    out.u8(record.tombstone() ? 1 : 0);
    out.string(record.key());
    out.i64(record.version().timestamp());
    out.string(record.version().writer());
    out.bytes(record.value());
  }

  public static Record read(ByteBuffer in) {
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

  public static String readString(ByteBuffer in) {
    int length = readLength(in);
    String s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return s;
  }

  /** A length (varint) that fits in what is left of {@code in}. */
  public static int readLength(ByteBuffer in) {
    int length = readVarint(in);
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("invalid length " + length);
    }
    return length;
  }

  public static int readVarint(ByteBuffer in) {
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
  public static final class Writer {
    private final byte[] buffer;
    private int size;

    public Writer(int capacity) {
      buffer = new byte[capacity];
    }

    public void u8(int b) {
      buffer[size++] = (byte) b;
    }

    public void i64(long v) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        buffer[size++] = (byte) (v >>> shift);
      }
    }

    public void varint(int v) {
      while ((v & ~0x7f) != 0) {
        buffer[size++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buffer[size++] = (byte) v;
    }

    public void bytes(byte[] b) {
      varint(b.length);
      System.arraycopy(b, 0, buffer, size, b.length);
      size += b.length;
    }

    public void string(String s) {
      bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] bytes() {
      return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
    }
  }
}
