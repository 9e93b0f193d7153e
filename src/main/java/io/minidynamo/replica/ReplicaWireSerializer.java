package io.minidynamo.replica;

import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.storage.RecordCodec;
import io.minidynamo.storage.RecordCodec.Writer;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * The four messages of every client request on the wire — {@link Write}, {@link WriteAck},
 * {@link Read}, {@link ReadReply} — in compact binary ({@link RecordCodec}) instead of CBOR with
 * field names; bound to those classes in {@code application.conf}. The rarer replica messages
 * (anti-entropy, hints) stay on Jackson.
 *
 * <pre>
 * Write     "W2" = partition:varint record request:i64 replyTo:str
 * WriteAck  "A2" = node:str key:str request:i64 error:optstr
 * Read      "R2" = partition:varint key:str request:i64 replyTo:str
 * ReadReply "P2" = node:str key:str request:i64 hasRecord:u8 record? error:optstr
 * optstr    = present:u8 str?      replyTo = the ActorRef's serialization format
 * (version 1, without the request id, is no longer read: a node of an older build is refused with
 * an unknown-manifest error rather than misread)
 * </pre>
 */
public final class ReplicaWireSerializer extends SerializerWithStringManifest {
  /** Unique among the serializers of the actor system; Pekko reserves 0-40. */
  public static final int IDENTIFIER = 7302;

  static final String WRITE = "W2";
  static final String WRITE_ACK = "A2";
  static final String READ = "R2";
  static final String READ_REPLY = "P2";

  private final ExtendedActorSystem system;
  private volatile ActorRefResolver resolver;

  public ReplicaWireSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof Write) {
      return WRITE;
    } else if (o instanceof WriteAck) {
      return WRITE_ACK;
    } else if (o instanceof Read) {
      return READ;
    } else if (o instanceof ReadReply) {
      return READ_REPLY;
    }
    throw new IllegalArgumentException("ReplicaWireSerializer cannot serialize " + o.getClass());
  }

  @Override
  public byte[] toBinary(Object o) {
    if (o instanceof Write write) {
      String replyTo = resolver().toSerializationFormat(write.replyTo());
      Writer out = new Writer(13 + RecordCodec.maxSize(write.record()) + RecordCodec.maxSize(replyTo));
      out.varint(write.partition());
      RecordCodec.write(out, write.record());
      out.i64(write.request());
      out.string(replyTo);
      return out.bytes();
    } else if (o instanceof WriteAck ack) {
      Writer out = new Writer(RecordCodec.maxSize(ack.node()) + RecordCodec.maxSize(ack.key()) + 8
          + optionalSize(ack.error()));
      out.string(ack.node());
      out.string(ack.key());
      out.i64(ack.request());
      optional(out, ack.error());
      return out.bytes();
    } else if (o instanceof Read read) {
      String replyTo = resolver().toSerializationFormat(read.replyTo());
      Writer out = new Writer(13 + RecordCodec.maxSize(read.key()) + RecordCodec.maxSize(replyTo));
      out.varint(read.partition());
      out.string(read.key());
      out.i64(read.request());
      out.string(replyTo);
      return out.bytes();
    } else if (o instanceof ReadReply reply) {
      Writer out = new Writer(RecordCodec.maxSize(reply.node()) + RecordCodec.maxSize(reply.key())
          + 8 + 1 + (reply.record() == null ? 0 : RecordCodec.maxSize(reply.record()))
          + optionalSize(reply.error()));
      out.string(reply.node());
      out.string(reply.key());
      out.i64(reply.request());
      out.u8(reply.record() == null ? 0 : 1);
      if (reply.record() != null) {
        RecordCodec.write(out, reply.record());
      }
      optional(out, reply.error());
      return out.bytes();
    }
    throw new IllegalArgumentException("ReplicaWireSerializer cannot serialize " + o.getClass());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    return RecordCodec.decodeWhole(bytes, manifest, in -> switch (manifest) {
      case WRITE -> new Write(RecordCodec.readVarint(in), RecordCodec.read(in), in.getLong(),
          resolver().<WriteAck>resolveActorRef(RecordCodec.readString(in)));
      case WRITE_ACK -> new WriteAck(
          RecordCodec.readString(in), RecordCodec.readString(in), in.getLong(), readOptional(in));
      case READ -> new Read(RecordCodec.readVarint(in), RecordCodec.readString(in), in.getLong(),
          resolver().<ReadReply>resolveActorRef(RecordCodec.readString(in)));
      case READ_REPLY -> new ReadReply(RecordCodec.readString(in), RecordCodec.readString(in),
          in.getLong(), in.get() == 0 ? null : RecordCodec.read(in), readOptional(in));
      default -> throw new NotSerializableException("unknown replica message manifest '" + manifest + "'");
    });
  }

  private ActorRefResolver resolver() {
    ActorRefResolver r = resolver;
    if (r == null) {
      // Not in the constructor: serializers are created while the actor system still starts.
      r = ActorRefResolver.get(Adapter.toTyped(system));
      resolver = r;
    }
    return r;
  }

  private static int optionalSize(String s) {
    return 1 + (s == null ? 0 : RecordCodec.maxSize(s));
  }

  private static void optional(Writer out, String s) {
    out.u8(s == null ? 0 : 1);
    if (s != null) {
      out.string(s);
    }
  }

  private static String readOptional(ByteBuffer in) {
    return in.get() == 0 ? null : RecordCodec.readString(in);
  }
}
