package io.minidynamo.storage.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.event.NoLogging;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer below the actor: failed I/O fails only its batch, later writes succeed. */
final class GroupCommitWriterTest {

  @TempDir Path dir;

  private final FaultyChannel.Faults faults = new FaultyChannel.Faults();

  private static JournalRecord.Write write(long seqNr) {
    byte[] bytes = ("event-" + seqNr).getBytes(StandardCharsets.UTF_8);
    return new JournalRecord.Write("p", List.of(new JournalRecord.Event(seqNr, bytes)));
  }

  private SegmentLog.Opened open(JournalIndex index) throws Exception {
    return SegmentLog.open(
        dir,
        1 << 20,
        Durability.FSYNC,
        (record, location) -> GroupCommitWriter.applyIndexed(index, record, location),
        (path, options) -> new FaultyChannel(FileChannel.open(path, options), faults));
  }

  @Test
  void append_failedWriteOrForce_failsThatBatchOnlyAndIsRolledBack() throws Exception {
    JournalIndex index = new JournalIndex();
    SegmentLog.Opened opened = open(index);
    try (GroupCommitWriter writer =
        new GroupCommitWriter(opened.log(), index, Durability.FSYNC, NoLogging.getInstance())) {
      writer.append(List.of(write(1))).get(5, TimeUnit.SECONDS);

      faults.failWrites = true;
      assertFails(writer.append(List.of(write(2))));
      faults.failWrites = false;

      faults.failForce = true; // bytes reach the file, the force fails: they must be cut again
      assertFails(writer.append(List.of(write(2))));
      faults.failForce = false;

      writer.append(List.of(write(2))).get(5, TimeUnit.SECONDS);
      writer.append(List.of(write(3))).get(5, TimeUnit.SECONDS);
      assertEquals(3, index.highestSequenceNr("p"));
    } finally {
      opened.log().close();
    }

    JournalIndex reopened = new JournalIndex();
    List<Long> seqNrs = new ArrayList<>();
    SegmentLog.Opened again =
        SegmentLog.open(dir, 1 << 20, Durability.FSYNC, (record, location) ->
            seqNrs.add(((JournalRecord.Span) record).lowestSequenceNr()));
    again.log().close();
    assertEquals(List.of(1L, 2L, 3L), seqNrs, "failed batches left nothing behind");
    assertTrue(again.report().cuts().isEmpty(), "no garbage to cut: " + again.report().cuts());
  }

  private static void assertFails(CompletableFuture<Void> future) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(5, TimeUnit.SECONDS));
    assertInstanceOf(java.io.IOException.class, e.getCause());
  }
}
