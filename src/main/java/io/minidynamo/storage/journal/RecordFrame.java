package io.minidynamo.storage.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The checksummed frame shared by journal segments and snapshot files: {@code int length},
 * {@code int crc32c}, then {@code length} payload bytes (big endian).
 *
 * <p>Invariants: {@code length > 0}; the CRC32C covers the length field and the payload, so a
 * flipped bit in the length is detected like one in the payload. A zero-filled region (what a
 * crashed file system may leave after an extended-but-unwritten tail) never parses as a frame,
 * because a zero length is invalid.
 */
final class RecordFrame {

  static final int HEADER_BYTES = 8;

  /** Upper bound for one frame; a larger length field can only be garbage. */
  static final int MAX_PAYLOAD_BYTES = 512 * 1024 * 1024;

  private RecordFrame() {}

  /** What {@link #read} found at a position. */
  sealed interface ReadResult permits Valid, Torn, Corrupt {}

  /** A complete frame whose checksum matches; {@code next} is the position after it. */
  record Valid(byte[] payload, long next) implements ReadResult {}

  /** The file ends inside this frame (a write that did not complete). */
  record Torn(String reason) implements ReadResult {}

  /** The frame is complete on disk but its length or checksum is wrong. */
  record Corrupt(String reason) implements ReadResult {}

  /** Returns a buffer holding the framed payload, ready to be written. */
  static ByteBuffer encode(byte[] payload) {
    if (payload.length == 0 || payload.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException("payload size out of range: " + payload.length);
    }
    ByteBuffer frame = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    frame.putInt(payload.length);
    frame.putInt(checksum(payload.length, payload, 0, payload.length));
    frame.put(payload);
    return frame.flip();
  }

  /** Reads the frame at {@code position} of a file whose valid content ends at {@code size}. */
  static ReadResult read(FileChannel channel, long position, long size) throws IOException {
    if (size - position < HEADER_BYTES) {
      return new Torn("incomplete header (" + (size - position) + " bytes)");
    }
    ByteBuffer header = readFully(channel, position, HEADER_BYTES);
    int length = header.getInt();
    int storedCrc = header.getInt();
    if (length <= 0 || length > MAX_PAYLOAD_BYTES) {
      // A garbage length at the very end may still be a torn header+payload; the caller decides
      // between tail and middle by looking for valid frames after it.
      return new Corrupt("invalid length " + length);
    }
    if (size - position - HEADER_BYTES < length) {
      return new Torn("payload of " + length + " bytes extends past end of file");
    }
    byte[] payload = readFully(channel, position + HEADER_BYTES, length).array();
    if (checksum(length, payload, 0, length) != storedCrc) {
      return new Corrupt("checksum mismatch");
    }
    return new Valid(payload, position + HEADER_BYTES + length);
  }

  /**
   * True if some complete, checksum-valid frame starts anywhere in {@code region} (bytes of a
   * file after a bad frame). Used to tell a torn tail (nothing valid follows) from damage in the
   * middle of the log (valid data follows, so cutting would lose acknowledged writes).
   */
  static boolean containsValidFrame(ByteBuffer region) {
    for (int start = 0; start + HEADER_BYTES < region.limit(); start++) {
      int length = region.getInt(start);
      if (length <= 0 || length > region.limit() - start - HEADER_BYTES) {
        continue;
      }
      int storedCrc = region.getInt(start + 4);
      byte[] payload = new byte[length];
      region.get(start + HEADER_BYTES, payload);
      if (checksum(length, payload, 0, length) == storedCrc) {
        return true;
      }
    }
    return false;
  }

  static ByteBuffer readFully(FileChannel channel, long position, int bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(bytes);
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new IOException("unexpected end of file at " + (position + buffer.position()));
      }
    }
    return buffer.flip();
  }

  private static int checksum(int length, byte[] payload, int offset, int count) {
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(4).putInt(0, length));
    crc.update(payload, offset, count);
    return (int) crc.getValue();
  }
}
