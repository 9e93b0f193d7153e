package io.minidynamo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;

/**
 * The configuration of an in-JVM test actor system with persistent actors: local provider, the
 * app's CBOR bindings, Pekko's in-memory journal (serializing events, so they must round-trip) and
 * the local snapshot store in {@code snapshotDir}.
 */
public final class InMemoryPersistence {
  private InMemoryPersistence() {}

  public static Config config(Path snapshotDir) {
    return ConfigFactory.parseString("""
            pekko.actor.provider = local
            pekko.actor.serialization-bindings {
              "io.minidynamo.CborSerializable" = jackson-cbor
            }
            pekko.persistence.journal.plugin = "pekko.persistence.journal.inmem"
            pekko.persistence.journal.inmem.test-serialization = on
            pekko.persistence.snapshot-store.plugin = "pekko.persistence.snapshot-store.local"
            """)
        .withValue("pekko.persistence.snapshot-store.local.dir",
            ConfigValueFactory.fromAnyRef(snapshotDir.toString()))
        .withFallback(ConfigFactory.defaultReference());
  }

  /**
   * As {@link #config}, but with Pekko's PersistenceTestKit journal, whose writes a test can make
   * fail ({@code PersistenceTestKit.create(system).failNextPersisted()}).
   */
  public static Config withFailableJournal(Path snapshotDir) {
    return PersistenceTestKitPlugin.getInstance().config().withFallback(config(snapshotDir));
  }
}
