package io.minidynamo.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wire format of the client-request messages (round trips of every message are in
 * SerializationRoundTripTest): compact, and malformed bytes are an exception, never a wrong message.
 */
class ReplicaWireSerializerTest {
  private static ActorTestKit testKit;
  private static Serialization serialization;
  private static ReplicaWireSerializer serializer;

  @BeforeAll
  static void start() throws NotSerializableException {
    testKit = ActorTestKit.create(ConfigFactory.load()); // the packaged application.conf
    serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));
    serializer = (ReplicaWireSerializer) serialization.serializerFor(Write.class);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Write write() {
    Record record = Record.put("key-1", "value".getBytes(StandardCharsets.UTF_8), new Version(42, "n1"));
    return new Write(17, record, testKit.<WriteAck>createTestProbe().ref());
  }

  @Test
  void write_isKeyValueReplyPathAndAFewBytes() {
    Write write = write();
    byte[] bytes = serializer.toBinary(write);
    int replyTo = Adapter.toClassic(write.replyTo()).path().toSerializationFormat().length();
    // partition 1 + flags 1 + key 6 + timestamp 8 + writer 3 + value 6 + request 8 + replyTo with
    // its length
    assertTrue(bytes.length <= 33 + replyTo + 2 + 20, "encoded size " + bytes.length);
  }

  @Test
  void fromBinary_truncatedOrTrailingBytes_areRejected() {
    byte[] bytes = serializer.toBinary(write());
    for (int cut = 0; cut < bytes.length; cut++) {
      byte[] truncated = Arrays.copyOf(bytes, cut);
      assertThrows(NotSerializableException.class,
          () -> serializer.fromBinary(truncated, ReplicaWireSerializer.WRITE), "cut at " + cut);
    }
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(longer, ReplicaWireSerializer.WRITE));
  }

  @Test
  void fromBinary_unknownManifest_isRejected() {
    byte[] bytes = serializer.toBinary(WriteAck.ok("n1", "k"));
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(bytes, "X9"));
  }

  @Test
  void readReply_withoutRecord_roundTripsToNull() throws Exception {
    ReadReply reply = new ReadReply("n2", "missing", 0, null, null);
    assertEquals(reply, serializer.fromBinary(serializer.toBinary(reply), ReplicaWireSerializer.READ_REPLY));
  }
}
