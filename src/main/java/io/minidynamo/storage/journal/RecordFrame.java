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
  sealed interface ReadResult permits Valid, View, Torn, Corrupt {}

  /** A complete frame whose checksum matches; {@code next} is the position after it. */
  record Valid(byte[] payload, long next) implements ReadResult {}

  /**
   * A valid frame found by a {@link Scanner}: {@code payload} is a view into the scanner's
   * buffer (do not write to it), valid until its next call; {@code next} is the position after the frame.
   */
  record View(ByteBuffer payload, long next) implements ReadResult {}

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
   * Reads a frame whose extent is known (from the index) with one read: the same checks as {@link
   * #read}, and the frame must end exactly at {@code position + frameBytes}.
   */
  static ReadResult readKnown(FileChannel channel, long position, int frameBytes)
      throws IOException {
    if (frameBytes < HEADER_BYTES) {
      return new Torn("incomplete header (" + frameBytes + " bytes)");
    }
    ByteBuffer frame = readFully(channel, position, frameBytes);
    int length = frame.getInt(0);
    int storedCrc = frame.getInt(4);
    if (length <= 0 || length != frameBytes - HEADER_BYTES) {
      return new Corrupt("invalid length " + length + " for a frame of " + frameBytes + " bytes");
    }
    byte[] bytes = frame.array();
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, 4);
    crc.update(bytes, HEADER_BYTES, length);
    if ((int) crc.getValue() != storedCrc) {
      return new Corrupt("checksum mismatch");
    }
    return new View(ByteBuffer.wrap(bytes, HEADER_BYTES, length).slice(), position + frameBytes);
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

  /**
   * Reads the consecutive frames of one file through a large buffer: one {@code read} per window
   * of {@link #WINDOW_BYTES} instead of two per frame, and no copy of the payload. The checks are
   * exactly those of {@link #read}.
   */
  static final class Scanner {
    static final int WINDOW_BYTES = 4 << 20;

    private final FileChannel channel;
    private final long size;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES).limit(0);
    /** The file position of {@code window}'s index 0. */
    private long windowStart;

    Scanner(FileChannel channel, long size) {
      this.channel = channel;
      this.size = size;
    }

    /** The frame at {@code position}, which must not lie before the previous call's. */
    ReadResult read(long position) throws IOException {
      if (size - position < HEADER_BYTES) {
        return new Torn("incomplete header (" + (size - position) + " bytes)");
      }
      fill(position, HEADER_BYTES);
      int at = (int) (position - windowStart);
      int length = window.getInt(at);
      int storedCrc = window.getInt(at + 4);
      if (length <= 0 || length > MAX_PAYLOAD_BYTES) {
        return new Corrupt("invalid length " + length);
      }
      if (size - position - HEADER_BYTES < length) {
        return new Torn("payload of " + length + " bytes extends past end of file");
      }
      fill(position, HEADER_BYTES + length);
      at = (int) (position - windowStart);
      crc.reset();
      crc.update(window.array(), at, 4); // the length field, big endian, as checksum() feeds it
      crc.update(window.array(), at + HEADER_BYTES, length);
      if ((int) crc.getValue() != storedCrc) {
        return new Corrupt("checksum mismatch");
      }
      ByteBuffer payload = window.slice(at + HEADER_BYTES, length);
      return new View(payload, position + HEADER_BYTES + length);
    }

    /** Makes the window hold file bytes {@code [position, position + bytes)}. */
    private void fill(long position, int bytes) throws IOException {
      if (position >= windowStart && position + bytes <= windowStart + window.limit()) {
        return;
      }
      int keep = position >= windowStart && position < windowStart + window.limit()
          ? (int) (windowStart + window.limit() - position) : 0;
      if (window.capacity() < bytes) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.max(bytes, WINDOW_BYTES));
        System.arraycopy(window.array(), window.limit() - keep, bigger.array(), 0, keep);
        window = bigger;
      } else if (keep > 0) {
        System.arraycopy(window.array(), window.limit() - keep, window.array(), 0, keep);
      }
      windowStart = position;
      long want = Math.min(window.capacity(), size - position);
      window.limit((int) want).position(keep);
      while (window.hasRemaining()) {
        int n = channel.read(window, windowStart + window.position());
        if (n < 0) {
          throw new IOException("unexpected end of file at " + (windowStart + window.position()));
        }
      }
      window.position(0);
    }
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
