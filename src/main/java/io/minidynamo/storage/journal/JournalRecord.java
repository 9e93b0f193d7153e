package io.minidynamo.storage.journal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of one journal frame: either all events of one {@code AtomicWrite} or a deletion
 * marker. Encoding: a type byte, the persistence id (int length + UTF-8), then the body.
 */
sealed interface JournalRecord permits JournalRecord.Write, JournalRecord.Delete {

  byte WRITE = 1;
  byte DELETE = 2;

  String persistenceId();

  byte[] encode();

  /** One serialized {@code PersistentRepr} with its sequence number kept outside for indexing. */
  record Event(long sequenceNr, byte[] serializedRepr) {}

  /**
   * Every event of one AtomicWrite, in sequence-number order. One frame, so a torn write loses all
   * of them or none.
   */
  record Write(String persistenceId, List<Event> events) implements JournalRecord {
    public Write {
      if (events.isEmpty()) {
        throw new IllegalArgumentException("an atomic write holds at least one event");
      }
      events = List.copyOf(events);
    }

    long lowestSequenceNr() {
      return events.get(0).sequenceNr();
    }

    long highestSequenceNr() {
      return events.get(events.size() - 1).sequenceNr();
    }

    @Override
    public byte[] encode() {
      return JournalRecord.encode(
          WRITE,
          persistenceId,
          out -> {
            out.writeInt(events.size());
            for (Event e : events) {
              out.writeLong(e.sequenceNr());
              out.writeInt(e.serializedRepr().length);
              out.write(e.serializedRepr());
            }
          });
    }
  }

  /**
   * Events of {@code persistenceId} up to {@code deletedTo} are deleted. It also carries the
   * highest sequence number at the time of the delete so that the highest sequence number is never
   * lost once the segments holding the events themselves are removed.
   */
  record Delete(String persistenceId, long deletedTo, long highestSequenceNr)
      implements JournalRecord {
    @Override
    public byte[] encode() {
      return JournalRecord.encode(
          DELETE,
          persistenceId,
          out -> {
            out.writeLong(deletedTo);
            out.writeLong(highestSequenceNr);
          });
    }
  }

  static JournalRecord decode(byte[] payload) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
    byte type = in.readByte();
    String pid = new String(readBytes(in), StandardCharsets.UTF_8);
    return switch (type) {
      case WRITE -> {
        int count = in.readInt();
        List<Event> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          long seqNr = in.readLong();
          events.add(new Event(seqNr, readBytes(in)));
        }
        yield new Write(pid, events);
      }
      case DELETE -> new Delete(pid, in.readLong(), in.readLong());
      default -> throw new IOException("unknown journal record type " + type);
    };
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > in.available()) {
      throw new IOException("invalid field length " + length);
    }
    return in.readNBytes(length);
  }

  /** Writes the body of a record; a functional interface so it may throw IOException. */
  interface Body {
    void writeTo(DataOutputStream out) throws IOException;
  }

  private static byte[] encode(byte type, String persistenceId, Body body) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(type);
      byte[] pid = persistenceId.getBytes(StandardCharsets.UTF_8);
      out.writeInt(pid.length);
      out.write(pid);
      body.writeTo(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException impossible) {
      throw new UncheckedIOException("in-memory stream failed", impossible);
    }
  }
}
