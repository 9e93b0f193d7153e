package io.minidynamo.storage.journal;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * The journal plugin's configuration section, read once at start.
 *
 * @param segmentDir {@code <dir>/journal}, where the segment files live
 * @param segmentSize a segment is rolled once it is at least this large
 * @param durability whether writes are forced before they are acknowledged
 * @param replayDispatcher dispatcher that runs blocking replay reads
 * @param unsafeSkipPersist test-only, deliberately broken: acknowledge writes without writing them
 *     (the fault-injection suite's self-test; see {@code mini-dynamo.test.unsafe-skip-persist})
 */
record JournalSettings(
    Path segmentDir,
    long segmentSize,
    Durability durability,
    String replayDispatcher,
    boolean unsafeSkipPersist) {

  static JournalSettings from(Config config) {
    long segmentSize = config.getBytes("segment-size");
    if (segmentSize <= 0) {
      throw new IllegalArgumentException("segment-size must be positive, was " + segmentSize);
    }
    return new JournalSettings(
        Path.of(config.getString("dir")).resolve("journal"),
        segmentSize,
        Durability.parse(config.getString("durability")),
        config.getString("replay-dispatcher"),
        config.hasPath("unsafe-skip-persist") && config.getBoolean("unsafe-skip-persist"));
  }
}
