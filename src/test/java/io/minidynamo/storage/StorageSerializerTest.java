package io.minidynamo.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replica's on-disk format: {@link StorageSerializer} is what application.conf binds to events
 * and snapshots, it round-trips every field, it is compact, it rejects malformed bytes with an
 * exception (never a wrong record), and data written by the former Jackson CBOR binding still
 * reads.
 */
class StorageSerializerTest {

  private static ActorSystem system;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    system = ActorSystem.create("StorageSerializerTest"); // application.conf from the classpath
    serialization = SerializationExtension.get(system);
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  private static Record put(String key, String value, long timestamp, String writer) {
    return Record.put(key, value.getBytes(StandardCharsets.UTF_8), new Version(timestamp, writer));
  }

  private static List<Record> samples() {
    byte[] binary = new byte[300];
    new Random(7).nextBytes(binary);
    return List.of(
        put("k1", "v", 1_700_000_000_000_000L, "n1"),
        put("", "", 0, ""),
        put("ключ-ü-😀", "wert", Long.MAX_VALUE, "node-ä"),
        Record.put("big", binary, new Version(Long.MIN_VALUE, "n3")),
        Record.tombstone("gone", new Version(42, "n2")));
  }

  private static Object roundTrip(Object o) {
    byte[] bytes = serialization.serialize(o).get();
    org.apache.pekko.serialization.Serializer serializer = serialization.findSerializerFor(o);
    return serialization
        .deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, o))
        .get();
  }

  @Test
  void applicationConfBindsEventsAndSnapshotsToTheStorageSerializer() {
    assertEquals(StorageSerializer.IDENTIFIER,
        serialization.findSerializerFor(samples().get(0)).identifier());
    assertEquals(StorageSerializer.IDENTIFIER,
        serialization.findSerializerFor(new PartitionSnapshot(samples())).identifier());
  }

  @Test
  void recordsRoundTripWithEveryField() {
    for (Record record : samples()) {
      Record back = (Record) roundTrip(record);
      assertEquals(record, back);
      assertEquals(record.tombstone(), back.tombstone());
      assertEquals(record.version().writer(), back.version().writer());
    }
  }

  @Test
  void snapshotsRoundTrip() {
    List<Record> many = new ArrayList<>(samples());
    for (int i = 0; i < 10_000; i++) {
      many.add(put("key-" + i, "value-" + i, i, "n" + (i % 3)));
    }
    PartitionSnapshot back = (PartitionSnapshot) roundTrip(new PartitionSnapshot(many));
    assertEquals(many, back.records());
    assertEquals(0, ((PartitionSnapshot) roundTrip(new PartitionSnapshot(List.of()))).records().size());
  }

  @Test
  void aRecordCostsItsBytesPlusAboutTwelve() {
    Record record = put("k1000000", "x".repeat(100), 1_700_000_000_000_000L, "n1");
    int size = serialization.serialize(record).get().length;
    // flags 1 + key 1+8 + timestamp 8 + writer 1+2 + value 1+100
    assertEquals(122, size);
  }

  @Test
  void malformedBytesAreRejectedNotMisread() {
    StorageSerializer serializer = new StorageSerializer();
    byte[] good = serializer.toBinary(samples().get(0));
    for (int cut = 0; cut < good.length; cut++) {
      byte[] truncated = Arrays.copyOf(good, cut);
      assertThrows(NotSerializableException.class,
          () -> serializer.fromBinary(truncated, StorageSerializer.RECORD), "cut at " + cut);
    }
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(longer, StorageSerializer.RECORD));
    byte[] badFlags = good.clone();
    badFlags[0] = 4;
    assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(badFlags, StorageSerializer.RECORD));
    assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(good, "R9"));
    byte[] hugeCount = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f};
    assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(hugeCount, StorageSerializer.SNAPSHOT));
  }

  @Test
  void dataWrittenWithJacksonCborBeforeStillReads() {
    org.apache.pekko.serialization.Serializer cbor = serialization.serializerByIdentity()
        .apply(33); // jackson-cbor's id in Pekko
    assertEquals("org.apache.pekko.serialization.jackson.JacksonCborSerializer",
        cbor.getClass().getName());
    HashSet<Record> seen = new HashSet<>();
    for (Record record : samples()) {
      byte[] old = cbor.toBinary(record);
      Object back = serialization
          .deserialize(old, 33, Serializers.manifestFor(cbor, record)).get();
      assertEquals(record, back);
      seen.add((Record) back);
    }
    PartitionSnapshot snapshot = new PartitionSnapshot(samples());
    Object back = serialization.deserialize(
        cbor.toBinary(snapshot), 33, Serializers.manifestFor(cbor, snapshot)).get();
    assertEquals(snapshot.records(), ((PartitionSnapshot) back).records());
    assertTrue(seen.size() == samples().size());
  }
}
