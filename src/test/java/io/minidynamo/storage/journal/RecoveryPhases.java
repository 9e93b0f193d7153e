package io.minidynamo.storage.journal;

import io.minidynamo.storage.PartitionSnapshot;
import io.minidynamo.storage.PartitionState;
import io.minidynamo.versioning.Record;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.serialization.Snapshot;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * CPU cost of the three phases of a node's recovery (not a test), on one thread, without Pekko's
 * recovery machinery: decoding the newest snapshot of every persistence id into a {@link
 * PartitionState}, the journal's start-up scan, and reading, decoding and applying every event
 * after each snapshot. Run it on a copy of a stopped node's data dir (it takes no lock); it repeats
 * the phases {@code bench.rounds} times (the first round includes the JIT warming up).
 *
 * <pre>
 * mvn -q test-compile exec:java -Dmain.class=io.minidynamo.storage.journal.RecoveryPhases \
 *     -Dexec.classpathScope=test -Dexec.args=/path/to/copy/of/data [-Dbench.rounds=3]
 * </pre>
 */
public final class RecoveryPhases {

  private RecoveryPhases() {}

  private static long cpuMillis() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1_000_000;
  }

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    int rounds = Integer.getInteger("bench.rounds", 3);
    ActorSystem system = ActorSystem.create("RecoveryPhases"); // application.conf's bindings
    try {
      Serialization serialization = SerializationExtension.get(system);
      for (int round = 1; round <= rounds; round++) {
        long start = cpuMillis();
        Map<String, Long> newest = new HashMap<>();
        Map<String, Path> newestFile = new HashMap<>();
        try (var files = Files.list(data.resolve("snapshots"))) {
          for (Path file : files.toList()) {
            DataInputStream in = header(file);
            String pid = in.readUTF();
            long seqNr = in.readLong();
            if (seqNr > newest.getOrDefault(pid, -1L)) {
              newest.put(pid, seqNr);
              newestFile.put(pid, file);
            }
          }
        }
        Map<String, PartitionState> states = new HashMap<>();
        long records = 0;
        for (Map.Entry<String, Path> e : newestFile.entrySet()) {
          DataInputStream in = header(e.getValue());
          in.readUTF();
          in.readLong();
          in.readLong();
          byte[] serialized = in.readNBytes(in.readInt());
          Object snapshot = serialization.deserialize(serialized, Snapshot.class).get().data();
          PartitionState state = PartitionState.fromSnapshot((PartitionSnapshot) snapshot);
          records += state.size();
          states.put(e.getKey(), state);
        }
        long snapshots = cpuMillis();
        JournalIndex index = new JournalIndex();
        SegmentLog.Opened opened = SegmentLog.open(data.resolve("journal"), 64L << 20,
            Durability.NONE, (r, l) -> GroupCommitWriter.applyIndexed(index, r, l));
        long scanned = cpuMillis();
        long events = 0;
        try {
          for (Map.Entry<String, PartitionState> e : states.entrySet()) {
            long after = newest.get(e.getKey());
            for (JournalIndex.Entry entry : index.entries(e.getKey(), after + 1, Long.MAX_VALUE)) {
              ByteBuffer payload = opened.log().read(entry.location()).orElseThrow();
              for (JournalRecord.Event event : ((JournalRecord.Write) JournalRecord.decode(payload)).events()) {
                if (event.sequenceNr() > after) {
                  PersistentRepr repr =
                      serialization.deserialize(event.serializedRepr(), PersistentRepr.class).get();
                  e.getValue().apply((Record) repr.payload());
                  events++;
                }
              }
            }
          }
        } finally {
          opened.log().close();
        }
        long replayed = cpuMillis();
        System.out.printf(
            "round %d: snapshots %d ms CPU (%d pids, %d records), scan %d ms CPU (%d records),"
                + " replay %d ms CPU (%d events)%n",
            round, snapshots - start, states.size(), records, scanned - snapshots,
            opened.report().records(), replayed - scanned, events);
      }
    } finally {
      system.terminate();
    }
  }

  /** The snapshot file's payload after the frame header, as a stream at the persistence id. */
  private static DataInputStream header(Path file) throws java.io.IOException {
    byte[] bytes = Files.readAllBytes(file);
    return new DataInputStream(new ByteArrayInputStream(
        bytes, RecordFrame.HEADER_BYTES, bytes.length - RecordFrame.HEADER_BYTES));
  }
}
