package io.minidynamo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.minidynamo.cluster.MembershipBootstrap;
import io.minidynamo.handoff.HintProtocol;
import io.minidynamo.antientropy.LeafReconciliation;
import io.minidynamo.handoff.Hint;
import io.minidynamo.handoff.HintEvent;
import io.minidynamo.handoff.HintProtocol.HintedWrite;
import io.minidynamo.handoff.HintState;
import io.minidynamo.replica.ReplicaProtocol.GetLeafEntries;
import io.minidynamo.replica.ReplicaProtocol.GetRecords;
import io.minidynamo.replica.ReplicaProtocol.GetTreeHashes;
import io.minidynamo.replica.ReplicaProtocol.LeafEntries;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.Records;
import io.minidynamo.replica.ReplicaProtocol.TreeHashes;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.storage.PartitionSnapshot;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every message, event and snapshot type (everything implementing {@link CborSerializable}) survives
 * Pekko serialization with the bindings of the packaged application.conf: the jackson-cbor
 * serializer (the storage serializer for the replica's events and snapshots, {@link Record} and
 * {@code PartitionSnapshot}), the manifest, and back to an equal object. ActorRefs inside messages resolve to the
 * same actor. {@link #samples_coverEveryCborSerializableClassOfTheMainCode} fails when a new
 * serializable type appears in the main code without a sample here.
 */
class SerializationRoundTripTest {

  private static ActorTestKit testKit;
  private static Serialization serialization;
  private static TestProbe<WriteAck> ackProbe;
  private static TestProbe<ReadReply> replyProbe;
  private static TestProbe<TreeHashes> hashesProbe;
  private static TestProbe<LeafEntries> entriesProbe;
  private static TestProbe<Records> recordsProbe;
  private static TestProbe<HintProtocol.HintFloor> floorProbe;
  private static TestProbe<HintProtocol.HintTargets> targetsProbe;
  private static TestProbe<MembershipBootstrap.ProbeReply> membershipProbe;

  private static final Version VERSION = new Version(1_700_000_000_123_456L, "n2");
  private static final byte[] NON_UTF8 = {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0x80, (byte) 0xc3};

  @BeforeAll
  static void start() {
    // The app's own serialization bindings; a local provider and no JVM exit for the test system.
    Config config = ConfigFactory.parseString("""
            pekko.actor.provider = local
            pekko.coordinated-shutdown.exit-jvm = off
            """)
        .withFallback(ConfigFactory.parseResources("application.conf"))
        .withFallback(ConfigFactory.defaultReference());
    testKit = ActorTestKit.create("serialization", config);
    serialization = SerializationExtension.get(testKit.system());
    ackProbe = testKit.createTestProbe(WriteAck.class);
    replyProbe = testKit.createTestProbe(ReadReply.class);
    hashesProbe = testKit.createTestProbe(TreeHashes.class);
    entriesProbe = testKit.createTestProbe(LeafEntries.class);
    recordsProbe = testKit.createTestProbe(Records.class);
    floorProbe = testKit.createTestProbe(HintProtocol.HintFloor.class);
    targetsProbe = testKit.createTestProbe(HintProtocol.HintTargets.class);
    membershipProbe = testKit.createTestProbe(MembershipBootstrap.ProbeReply.class);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Sample instances per class: the edge cases each type must carry. */
  private static Map<Class<?>, List<Object>> samples() {
    Record binary = Record.put("bin", NON_UTF8, VERSION);
    Record empty = Record.put("empty", new byte[0], VERSION);
    Record text = Record.put("ключ/κλειδί 😀", "value".getBytes(StandardCharsets.UTF_8), VERSION);
    Record tombstone = Record.tombstone("gone", new Version(5, "n1"));
    Hint hint = new Hint(1, "n3", 7, binary, 1_700_000_000_000L);
    Hint tombstoneHint = new Hint(Long.MAX_VALUE, "n1", 0, tombstone, 0);
    LeafReconciliation.Entry entry = new LeafReconciliation.Entry("ключ", VERSION.timestamp(), "n2", false);
    LeafReconciliation.Entry deleted = new LeafReconciliation.Entry("gone", 5, "n1", true);
    return Map.ofEntries(
        Map.entry(Version.class,
            List.of(VERSION, new Version(0, ""), new Version(Long.MIN_VALUE, "n3"))),
        Map.entry(Record.class,
            List.of(binary, empty, text, tombstone, Record.put("big", bytes(256 * 1024), VERSION))),
        Map.entry(PartitionSnapshot.class, List.of(
            new PartitionSnapshot(List.of()),
            new PartitionSnapshot(List.of(binary, empty, text, tombstone)))),
        Map.entry(Write.class, List.of(
            new Write(7, binary, 1L << 40, ackProbe.ref()),
            new Write(0, tombstone, ackProbe.ref()))),
        Map.entry(Read.class, List.of(new Read(63, "bin", 9_000_000_001L, replyProbe.ref()))),
        Map.entry(WriteAck.class, List.of(
            WriteAck.ok("n1", "k"),
            new WriteAck("n2", "k", 77, "overloaded: 10000 writes queued"))),
        Map.entry(ReadReply.class, List.of(
            new ReadReply("n1", "bin", 5, binary, null),
            new ReadReply("n1", "gone", Long.MAX_VALUE, tombstone, null),
            new ReadReply("n1", "missing", 0, null, null),
            new ReadReply("n3", "k", 0, null, "partition 9 is not replicated by n3"))),
        Map.entry(Hint.class, List.of(hint, tombstoneHint)),
        Map.entry(HintEvent.Stored.class, List.of(new HintEvent.Stored(hint))),
        Map.entry(HintEvent.Delivered.class, List.of(
            new HintEvent.Delivered("n3", List.of(1L, 2L, Long.MAX_VALUE)),
            new HintEvent.Delivered("n1", List.of()))),
        Map.entry(HintState.Snapshot.class, List.of(
            new HintState.Snapshot(List.of(), 1, 0),
            new HintState.Snapshot(List.of(hint, tombstoneHint), 42, 17))),
        Map.entry(HintedWrite.class, List.of(
            new HintedWrite(7, binary, "n2", ackProbe.ref()),
            new HintedWrite(0, tombstone, "n3", ackProbe.ref()))),
        Map.entry(GetTreeHashes.class, List.of(
            new GetTreeHashes(5, 10, 3, List.of(0, 7, 5), hashesProbe.ref()))),
        Map.entry(TreeHashes.class, List.of(
            new TreeHashes("n1", 5, List.of(0L, -1L, Long.MIN_VALUE, 42L), null),
            new TreeHashes("n1", 5, List.of(), "tree depth 10 cannot answer depth 11 level 0"))),
        Map.entry(GetLeafEntries.class, List.of(
            new GetLeafEntries(5, List.of(1, 1023), entriesProbe.ref()))),
        Map.entry(LeafEntries.class, List.of(
            new LeafEntries("n2", 5, List.of(entry, deleted), null),
            new LeafEntries("n2", 5, List.of(deleted.withSettled(true)), null),
            new LeafEntries("n2", 5, List.of(), "partition 5 is not replicated by n2"))),
        Map.entry(GetRecords.class, List.of(
            new GetRecords(5, List.of("bin", "gone"), recordsProbe.ref()))),
        Map.entry(Records.class, List.of(
            new Records("n3", 5, List.of(binary, tombstone), null),
            new Records("n3", 5, List.of(), "partition 5 is not replicated by n3"))),
        Map.entry(HintProtocol.ReadHinted.class, List.of(
            new HintProtocol.ReadHinted(7, "ключ", 42, replyProbe.ref()))),
        Map.entry(HintProtocol.GetHintFloor.class, List.of(
            new HintProtocol.GetHintFloor(floorProbe.ref()))),
        Map.entry(HintProtocol.HintFloor.class, List.of(
            new HintProtocol.HintFloor("n1", 1_700_000_000_123_456L),
            new HintProtocol.HintFloor("n2", Long.MIN_VALUE),
            new HintProtocol.HintFloor("n3", Long.MAX_VALUE))),
        Map.entry(HintProtocol.GetHintTargets.class, List.of(
            new HintProtocol.GetHintTargets(targetsProbe.ref()))),
        Map.entry(HintProtocol.HintTargets.class, List.of(
            new HintProtocol.HintTargets("n1", java.util.Set.of("n2", "n3")),
            new HintProtocol.HintTargets("n2", java.util.Set.of()))),
        Map.entry(MembershipBootstrap.Probe.class, List.of(
            new MembershipBootstrap.Probe("n1", membershipProbe.ref()))),
        Map.entry(MembershipBootstrap.ProbeReply.class, List.of(
            new MembershipBootstrap.ProbeReply("n2", true, java.util.Set.of("n1", "n2")),
            new MembershipBootstrap.ProbeReply("n3", false, java.util.Set.of()))));
  }

  @Test
  void roundTrip_everySample_isEqualWithItsBoundSerializer() {
    samples().forEach((type, instances) -> {
      for (Object original : instances) {
        Serializer serializer = serialization.findSerializerFor(original);
        // the replica's events and snapshots have their own compact on-disk format, and the
        // messages of every client request their own compact wire format
        String expected = type == Record.class || type == io.minidynamo.storage.PartitionSnapshot.class
            ? "StorageSerializer"
            : Set.of(Write.class, WriteAck.class, Read.class, ReadReply.class).contains(type)
                ? "ReplicaWireSerializer" : "JacksonCborSerializer";
        assertEquals(expected, serializer.getClass().getSimpleName(), type.getName());
        Object back = roundTrip(original);
        assertEquals(original, back, type.getName());
        assertEquals(type, back.getClass());
        assertNotSame(original, back);
      }
    });
  }

  @Test
  void roundTrip_binaryValues_keepEveryByte() {
    Record back = (Record) roundTrip(Record.put("bin", NON_UTF8, VERSION));
    assertArrayEquals(NON_UTF8, back.value());
    assertFalse(back.tombstone());
    Record emptyBack = (Record) roundTrip(Record.put("empty", new byte[0], VERSION));
    assertArrayEquals(new byte[0], emptyBack.value());
  }

  @Test
  void roundTrip_tombstone_staysATombstone() {
    Record back = (Record) roundTrip(Record.tombstone("gone", VERSION));
    assertTrue(back.tombstone());
    assertEquals(0, back.value().length);
  }

  @Test
  void toBinary_largeValue_isRawBytesNotBase64() {
    byte[] value = bytes(100 * 1024);
    Record record = Record.put("k", value, VERSION);
    int size = serialization.serialize(record).get().length;
    assertTrue(size < value.length + 200, "serialized size " + size);
  }

  @Test
  void roundTrip_writeReplyTo_resolvesToTheSameActor() {
    Write back = (Write) roundTrip(new Write(1, Record.tombstone("k", VERSION), ackProbe.ref()));
    assertEquals(ackProbe.ref(), back.replyTo());
    back.replyTo().tell(WriteAck.ok("n1", "k"));
    ackProbe.expectMessage(WriteAck.ok("n1", "k"));
  }

  @Test
  void roundTrip_readReplyTo_resolvesToTheSameActor() {
    Read back = (Read) roundTrip(new Read(1, "k", replyProbe.ref()));
    assertEquals(replyProbe.ref(), back.replyTo());
    ReadReply reply = new ReadReply("n1", "k", 0, null, null);
    back.replyTo().tell(reply);
    replyProbe.expectMessage(reply);
  }

  @Test
  void roundTrip_hintedWriteReplyTo_resolvesToTheSameActor() {
    HintedWrite back = (HintedWrite) roundTrip(
        new HintedWrite(1, Record.tombstone("k", VERSION), "n3", ackProbe.ref()));
    assertEquals(ackProbe.ref(), back.replyTo());
    back.replyTo().tell(WriteAck.ok("n2", "k"));
    ackProbe.expectMessage(WriteAck.ok("n2", "k"));
  }

  @Test
  void roundTrip_treeHashes_keepLongElementsAsLongs() {
    // a small hash must not come back as an Integer (equal lists, different element types)
    TreeHashes back = (TreeHashes) roundTrip(new TreeHashes("n1", 5, List.of(3L), null));
    assertEquals(Long.class, back.hashes().get(0).getClass());
    HintEvent.Delivered delivered =
        (HintEvent.Delivered) roundTrip(new HintEvent.Delivered("n1", List.of(3L)));
    assertEquals(Long.class, delivered.ids().get(0).getClass());
  }

  @Test
  void samples_coverEveryCborSerializableClassOfTheMainCode() throws Exception {
    Set<String> serializable = cborSerializableMainClasses();
    Set<String> covered = samples().keySet().stream()
        .map(Class::getName)
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> missing = new TreeSet<>(serializable);
    missing.removeAll(covered);
    assertEquals(Set.of(), missing, "CborSerializable classes without a round-trip sample");
    // Equal both ways: a sample for a class that is no longer serializable is stale, and a scan
    // that found too little would otherwise pass vacuously.
    assertEquals(covered, serializable);
  }

  private static Object roundTrip(Object original) {
    // Serialization.serialize/deserialize set the transport information ActorRefs need.
    Serializer serializer = serialization.findSerializerFor(original);
    byte[] bytes = serialization.serialize(original).get();
    String manifest = Serializers.manifestFor(serializer, original);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  /** Concrete classes under the main code's class directory that implement CborSerializable. */
  private static Set<String> cborSerializableMainClasses() throws URISyntaxException, Exception {
    Path root = Path.of(
        CborSerializable.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(Files.isDirectory(root), "main classes are not a directory: " + root);
    ClassLoader loader = SerializationRoundTripTest.class.getClassLoader();
    List<String> names;
    try (Stream<Path> files = Files.walk(root)) {
      names = files
          .filter(file -> file.toString().endsWith(".class"))
          .map(file -> root.relativize(file).toString())
          .map(name -> name.substring(0, name.length() - ".class".length())
              .replace(root.getFileSystem().getSeparator(), "."))
          .filter(name -> !name.endsWith("package-info") && !name.endsWith("module-info"))
          .toList();
    }
    Function<String, Class<?>> load = name -> {
      try {
        return Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new AssertionError("cannot load " + name, e);
      }
    };
    List<String> result = new ArrayList<>();
    for (String name : names) {
      Class<?> type = load.apply(name);
      if (CborSerializable.class.isAssignableFrom(type)
          && !type.isInterface()
          && !Modifier.isAbstract(type.getModifiers())) {
        result.add(type.getName());
      }
    }
    return new TreeSet<>(result);
  }

  private static byte[] bytes(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + 7);
    }
    return bytes;
  }
}
