package io.minidynamo.storage.journal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of one journal frame: either all events of one {@code AtomicWrite} or a deletion
 * marker. Encoding: a type byte, the persistence id (int length + UTF-8), then the body.
 */
sealed interface JournalRecord permits JournalRecord.Write, JournalRecord.Delete {

  /** What the index needs of a record; recovery reads it without copying event payloads. */
  sealed interface Indexed permits Span, Delete {
    String persistenceId();
  }

  /** The persistence id and sequence-number range of one atomic write. */
  record Span(String persistenceId, long lowestSequenceNr, long highestSequenceNr)
      implements Indexed {}


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

    Span span() {
      return new Span(persistenceId, lowestSequenceNr(), highestSequenceNr());
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
      implements JournalRecord, Indexed {
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
    return decode(ByteBuffer.wrap(payload));
  }

  /** Decodes a record from the remaining bytes of {@code payload} (consumed). */
  static JournalRecord decode(ByteBuffer payload) throws IOException {
    try {
      byte type = payload.get();
      String pid = new String(readBytes(payload), StandardCharsets.UTF_8);
      return switch (type) {
        case WRITE -> {
          int count = payload.getInt();
          if (count < 0) {
            throw new IOException("invalid event count " + count);
          }
          List<Event> events = new ArrayList<>(Math.min(count, 1024));
          for (int i = 0; i < count; i++) {
            long seqNr = payload.getLong();
            events.add(new Event(seqNr, readBytes(payload)));
          }
          yield new Write(pid, events);
        }
        case DELETE -> new Delete(pid, payload.getLong(), payload.getLong());
        default -> throw new IOException("unknown journal record type " + type);
      };
    } catch (java.nio.BufferUnderflowException e) {
      throw new IOException("record ends early", e);
    }
  }

  private static byte[] readBytes(ByteBuffer in) throws IOException {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IOException("invalid field length " + length);
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }

  /**
   * Reads what the index needs from an encoded record ({@link #decode}'s format) without copying
   * the events' bytes: the span of a write, or the deletion marker itself. Consumes {@code payload}.
   */
  static Indexed summarize(ByteBuffer payload) throws IOException {
    try {
      byte type = payload.get();
      int pidLength = payload.getInt();
      if (pidLength < 0 || pidLength > payload.remaining()) {
        throw new IOException("invalid field length " + pidLength);
      }
      String pid = new String(
          payload.array(), payload.arrayOffset() + payload.position(), pidLength,
          StandardCharsets.UTF_8);
      payload.position(payload.position() + pidLength);
      return switch (type) {
        case WRITE -> {
          int count = payload.getInt();
          if (count <= 0) {
            throw new IOException("an atomic write holds at least one event, not " + count);
          }
          long lowest = 0;
          long highest = 0;
          for (int i = 0; i < count; i++) {
            long seqNr = payload.getLong();
            int length = payload.getInt();
            if (length < 0 || length > payload.remaining()) {
              throw new IOException("invalid field length " + length);
            }
            payload.position(payload.position() + length);
            if (i == 0) {
              lowest = seqNr;
            }
            highest = seqNr;
          }
          yield new Span(pid, lowest, highest);
        }
        case DELETE -> new Delete(pid, payload.getLong(), payload.getLong());
        default -> throw new IOException("unknown journal record type " + type);
      };
    } catch (java.nio.BufferUnderflowException e) {
      throw new IOException("record ends early", e);
    }
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
