package io.minidynamo.storage.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.testkit.javadsl.TestKit;
import scala.jdk.javaapi.CollectionConverters;

/** Helpers shared by the journal tests: config, protocol messages and expectations. */
final class JournalTesting {

  static final String JOURNAL = "mini-dynamo.persistence.journal";
  static final String SNAPSHOTS = "mini-dynamo.persistence.snapshot-store";
  static final String WRITER_UUID = "writer-1";
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private JournalTesting() {}

  /** An actor system whose journal and snapshot store live in {@code dir}. */
  static ActorSystem system(Path dir, String extraConfig) {
    return ActorSystem.create("journal-test", config(dir, extraConfig));
  }

  static Config config(Path dir, String extraConfig) {
    String quoted = "\"" + dir.toAbsolutePath().toString().replace("\\", "\\\\") + "\"";
    return ConfigFactory.parseString(
            extraConfig
                + "\npekko.loglevel = WARNING"
                + "\npekko.stdout-loglevel = WARNING"
                + "\npekko.actor.provider = local"
                + "\npekko.persistence.journal.plugin = " + JOURNAL
                + "\npekko.persistence.snapshot-store.plugin = " + SNAPSHOTS
                + "\n" + JOURNAL + ".dir = " + quoted
                + "\n" + SNAPSHOTS + ".dir = " + quoted)
        .withFallback(ConfigFactory.load());
  }

  static ActorRef journal(ActorSystem system) {
    return Persistence.get(system).journalFor(JOURNAL, ConfigFactory.empty());
  }

  static ActorRef snapshotStore(ActorSystem system) {
    return Persistence.get(system).snapshotStoreFor(SNAPSHOTS, ConfigFactory.empty());
  }

  static PersistentRepr repr(Object payload, long seqNr, String pid) {
    return PersistentRepr.apply(payload, seqNr, pid, "", false, ActorRef.noSender(), WRITER_UUID);
  }

  static AtomicWrite atomic(PersistentRepr... reprs) {
    return AtomicWrite.apply(CollectionConverters.asScala(List.of(reprs)).toList());
  }

  static JournalProtocol.WriteMessages writeMessages(
      List<? extends PersistentEnvelope> writes, ActorRef replyTo) {
    List<PersistentEnvelope> envelopes = new ArrayList<>(writes);
    return new JournalProtocol.WriteMessages(
        CollectionConverters.asScala(envelopes).toList(), replyTo, 1);
  }

  /**
   * Writes events {@code from..to} of {@code pid} as the TCK does: single-event atomic writes, the
   * last one holding two events; waits until all are acknowledged.
   */
  static void writeEvents(ActorSystem system, String pid, int from, int to) {
    List<AtomicWrite> writes = new ArrayList<>();
    for (int i = from; i < to; i++) {
      writes.add(
          i == to - 1
              ? atomic(repr("a-" + i, i, pid), repr("a-" + (i + 1), i + 1, pid))
              : atomic(repr("a-" + i, i, pid)));
    }
    TestKit probe = new TestKit(system);
    journal(system).tell(writeMessages(writes, probe.getRef()), ActorRef.noSender());
    probe.expectMsgEquals(TIMEOUT, JournalProtocol.WriteMessagesSuccessful$.MODULE$);
    for (int i = from; i <= to; i++) {
      JournalProtocol.WriteMessageSuccess ok =
          probe.expectMsgClass(TIMEOUT, JournalProtocol.WriteMessageSuccess.class);
      assertEquals(i, ok.persistent().sequenceNr());
    }
  }

  /** Replays and returns the payloads; asserts the reported highest sequence number. */
  static List<Object> replay(
      ActorSystem system, String pid, long from, long to, long max, long expectedHighest) {
    TestKit probe = new TestKit(system);
    journal(system)
        .tell(new JournalProtocol.ReplayMessages(from, to, max, pid, probe.getRef()),
            ActorRef.noSender());
    List<Object> payloads = new ArrayList<>();
    while (true) {
      Object msg = probe.expectMsgAnyClassOf(TIMEOUT,
          JournalProtocol.ReplayedMessage.class, JournalProtocol.RecoverySuccess.class);
      if (msg instanceof JournalProtocol.ReplayedMessage replayed) {
        PersistentRepr p = replayed.persistent();
        assertEquals(pid, p.persistenceId());
        assertEquals(WRITER_UUID, p.writerUuid());
        assertTrue(!p.deleted(), "replayed a deleted event");
        payloads.add(p.payload());
      } else {
        assertEquals(expectedHighest,
            ((JournalProtocol.RecoverySuccess) msg).highestSequenceNr(), "highest seq nr");
        return payloads;
      }
    }
  }

  static List<Object> payloads(int from, int to) {
    List<Object> result = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      result.add("a-" + i);
    }
    return result;
  }

  static void deleteTo(ActorSystem system, String pid, long toSeqNr) {
    TestKit probe = new TestKit(system);
    journal(system)
        .tell(new JournalProtocol.DeleteMessagesTo(pid, toSeqNr, probe.getRef()),
            ActorRef.noSender());
    probe.expectMsgEquals(TIMEOUT, new org.apache.pekko.persistence.DeleteMessagesSuccess(toSeqNr));
  }

  static List<Path> segmentFiles(Path dataDir) throws IOException {
    try (Stream<Path> files = Files.list(dataDir.resolve("journal"))) {
      return files.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted()
          .toList();
    }
  }

  static void shutdown(ActorSystem system) {
    TestKit.shutdownActorSystem(system, scala.concurrent.duration.Duration.create(20, "s"), true);
  }
}
