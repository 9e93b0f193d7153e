package io.minidynamo.replica;

import io.minidynamo.CborSerializable;
import io.minidynamo.versioning.Record;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages a node's replicas accept from coordinators on any node, and their answers. Sent to
 * the node's {@link ReplicaRouter} at the fixed path {@code /user/replica}.
 */
public final class ReplicaProtocol {
  private ReplicaProtocol() {}

  /** Everything a replica actor accepts; the node-internal ones are private to this package. */
  public interface Command {}

  /** Store {@code record} in {@code partition} (an LWW merge); answered once it is durable. */
  public record Write(int partition, Record record, ActorRef<WriteAck> replyTo)
      implements Command, CborSerializable {}

  /** Read this node's copy of a key. */
  public record Read(int partition, String key, ActorRef<ReadReply> replyTo)
      implements Command, CborSerializable {}

  /**
   * The answer to a {@link Write}: {@code error} is null when the record (or a newer version of the
   * key) is durable on {@code node}.
   */
  public record WriteAck(String node, String key, String error) implements CborSerializable {
    public static WriteAck ok(String node, String key) {
      return new WriteAck(node, key, null);
    }

    public boolean ok() {
      return error == null;
    }
  }

  /** The answer to a {@link Read}: the stored record or null, or an {@code error}. */
  public record ReadReply(String node, String key, Record record, String error)
      implements CborSerializable {
    public boolean ok() {
      return error == null;
    }
  }
}
