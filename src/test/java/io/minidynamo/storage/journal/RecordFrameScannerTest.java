package io.minidynamo.storage.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up scan reads frames through {@link RecordFrame.Scanner}'s window: the same payloads
 * and the same verdicts as the frame-by-frame {@link RecordFrame#read}, for frames that straddle
 * window boundaries, frames larger than the window, a torn tail and a flipped bit.
 */
class RecordFrameScannerTest {

  @TempDir Path dir;

  private static byte[] payload(Random random, int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return bytes;
  }

  private FileChannel write(List<byte[]> payloads, byte[] tail) throws IOException {
    FileChannel channel = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    for (byte[] p : payloads) {
      DurableFiles.writeFully(channel, new ByteBuffer[] {RecordFrame.encode(p)});
    }
    DurableFiles.writeFully(channel, new ByteBuffer[] {ByteBuffer.wrap(tail)});
    return channel;
  }

  @Test
  void scanner_agreesWithFrameByFrameReads_acrossWindowsAndOversizedFrames() throws IOException {
    Random random = new Random(42);
    List<byte[]> payloads = new ArrayList<>();
    long total = 0;
    while (total < 3L * RecordFrame.Scanner.WINDOW_BYTES) {
      int size = random.nextInt(20) == 0 ? 1 + random.nextInt(200_000) : 1 + random.nextInt(400);
      payloads.add(payload(random, size));
      total += size + RecordFrame.HEADER_BYTES;
    }
    payloads.add(2, payload(random, RecordFrame.Scanner.WINDOW_BYTES + 12_345)); // beyond a window
    payloads.add(payload(random, 2 * RecordFrame.Scanner.WINDOW_BYTES));
    byte[] torn = RecordFrame.encode(payload(random, 1000)).array();
    byte[] tornTail = java.util.Arrays.copyOf(torn, 600);
    try (FileChannel channel = write(payloads, tornTail)) {
      long size = channel.size();
      RecordFrame.Scanner scanner = new RecordFrame.Scanner(channel, size);
      long position = 0;
      for (byte[] expected : payloads) {
        RecordFrame.ReadResult scanned = scanner.read(position);
        RecordFrame.Valid single = (RecordFrame.Valid) RecordFrame.read(channel, position, size);
        RecordFrame.View view = assertInstanceOf(RecordFrame.View.class, scanned);
        byte[] actual = new byte[view.payload().remaining()];
        view.payload().get(actual);
        assertArrayEquals(expected, actual);
        assertArrayEquals(expected, single.payload());
        assertEquals(single.next(), view.next());
        position = view.next();
      }
      assertInstanceOf(RecordFrame.Torn.class, scanner.read(position));
      assertInstanceOf(RecordFrame.Torn.class, RecordFrame.read(channel, position, size));
    }
  }

  @Test
  void scanner_flippedBitInPayloadOrLength_isCorrupt() throws IOException {
    Random random = new Random(7);
    List<byte[]> payloads = List.of(payload(random, 100), payload(random, 100));
    try (FileChannel channel = write(payloads, new byte[0])) {
      long second = 100 + RecordFrame.HEADER_BYTES;
      ByteBuffer one = ByteBuffer.allocate(1);
      channel.read(one, second + 50);
      channel.write(ByteBuffer.wrap(new byte[] {(byte) (one.get(0) ^ 1)}), second + 50);
      RecordFrame.Scanner scanner = new RecordFrame.Scanner(channel, channel.size());
      assertInstanceOf(RecordFrame.View.class, scanner.read(0));
      assertEquals("Corrupt[reason=checksum mismatch]", scanner.read(second).toString());
      assertEquals("Corrupt[reason=checksum mismatch]",
          RecordFrame.readKnown(channel, second, 108).toString());
      channel.write(ByteBuffer.wrap(new byte[] {1}), 1); // the first frame's length: 100 -> 65636
      assertInstanceOf(RecordFrame.Torn.class, new RecordFrame.Scanner(channel, channel.size()).read(0));
      channel.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 101}), 0); // 101: a wrong, complete length
      assertInstanceOf(RecordFrame.Corrupt.class, new RecordFrame.Scanner(channel, channel.size()).read(0));
      assertInstanceOf(RecordFrame.Corrupt.class, RecordFrame.readKnown(channel, 0, 108));
    }
  }
}
