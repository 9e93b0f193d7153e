package io.minidynamo.bench;

import io.minidynamo.ring.Murmur3;
import io.minidynamo.storage.PartitionState;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Heap bytes a replica spends per stored key beyond the key's and value's own bytes: fills the
 * in-memory partition states of one node (every record held exactly as a replica holds it: record,
 * version, key string, value bytes, map entry, Merkle tree) and compares the live heap after a full
 * GC with the heap before.
 *
 * <pre>java -Xmx4g -cp target/mini-dynamo.jar io.minidynamo.bench.HeapPerKey [keys] [valueBytes] [partitions]</pre>
 */
public final class HeapPerKey {
  private HeapPerKey() {}

  public static void main(String[] args) {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int valueBytes = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    Random random = new Random(1);

    // Load and initialize every class involved before the baseline.
    new PartitionState().apply(Record.put("warm-up", new byte[1], new Version(1, "n1")));
    PartitionState[] states = new PartitionState[partitions];
    for (int p = 0; p < partitions; p++) {
      states[p] = new PartitionState();
    }
    // The empty states (their Merkle trees, a fixed cost per partition) are in the baseline.
    long before = liveHeap();

    long keyBytes = 0;
    long timestamp = System.currentTimeMillis() * 1000;
    for (int i = 0; i < keys; i++) {
      // A fresh String per key, as a decoded message would carry it.
      String key = new String(("k" + i).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
      byte[] value = new byte[valueBytes];
      random.nextBytes(value);
      keyBytes += key.getBytes(StandardCharsets.UTF_8).length;
      int partition = (int) Math.floorMod(Murmur3.hash64(key.getBytes(StandardCharsets.UTF_8), 0), (long) partitions);
      states[partition].apply(Record.put(key, value, new Version(timestamp + i, "n1")));
    }
    long filled = liveHeap() - before;
    long payload = keyBytes + (long) keys * valueBytes;
    System.out.printf("keys=%d value_bytes=%d partitions=%d%n", keys, valueBytes, partitions);
    System.out.printf("live heap for the records: %d bytes; key+value bytes: %d%n", filled, payload);
    System.out.printf("RESULT heap_bytes_per_key_beyond_key_and_value=%.1f%n",
        (filled - payload) / (double) keys);
    long held = 0;
    for (PartitionState state : states) {
      held += state.size();
    }
    System.out.println("(records held: " + held + ")");
  }

  private static long liveHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 4; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
