package io.minidynamo.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Node tuning from reference.conf / application.conf. */
class NodeSettingsTest {

  @Test
  void fromConfig_referenceDefaults_areLoaded() {
    NodeSettings settings = NodeSettings.fromConfig(ConfigFactory.defaultReference());
    assertEquals(Duration.ofSeconds(2), settings.requestTimeout());
    assertEquals(Duration.ofSeconds(30), settings.maxRequestTimeout());
    assertEquals(1024, settings.maxKeyBytes());
    assertEquals(1024 * 1024, settings.maxValueBytes());
    assertEquals(NodeSettings.Durability.FSYNC, settings.durability());
    assertEquals(512, settings.maxWriteBatch());
    assertEquals(10_000, settings.maxPendingWrites());
    assertEquals(2_000, settings.snapshotEvery());
    assertEquals(Duration.ZERO, settings.clockOffset());
    assertEquals(Duration.ofHours(1), settings.tombstoneGrace());
    assertEquals(1000, settings.tombstonePurgeBatch());
    assertEquals(false, settings.unsafeSkipPersist(), "the broken self-test setting is off by default");
  }

  @Test
  void fromConfig_nonPositiveTombstoneGrace_isInvalid() {
    assertInvalid("mini-dynamo.anti-entropy.tombstone-grace = 0s", "tombstone-grace");
    assertInvalid("mini-dynamo.anti-entropy.tombstone-purge-batch = 0", "tombstone-purge-batch");
  }

  @Test
  void fromConfig_unsafeSkipPersistOn_isRead() {
    assertTrue(settings("mini-dynamo.test.unsafe-skip-persist = on").unsafeSkipPersist());
  }

  @Test
  void fromConfig_packagedApplicationConf_isValid() {
    Config config = ConfigFactory.parseResources("application.conf")
        .withFallback(ConfigFactory.defaultReference());
    assertEquals(NodeSettings.Durability.FSYNC, NodeSettings.fromConfig(config).durability());
  }

  @Test
  void fromConfig_durabilityNone_isNone() {
    assertEquals(NodeSettings.Durability.NONE, settings("mini-dynamo.durability = none").durability());
  }

  @Test
  void fromConfig_durabilityFsync_isFsync() {
    assertEquals(NodeSettings.Durability.FSYNC, settings("mini-dynamo.durability = fsync").durability());
  }

  @Test
  void fromConfig_invalidDurability_namesTheValue() {
    assertInvalid("mini-dynamo.durability = async", "'async'", "fsync or none");
    assertInvalid("mini-dynamo.durability = FSYNC", "'FSYNC'");
  }

  @Test
  void fromConfig_overrides_areRead() {
    NodeSettings settings = settings("""
        mini-dynamo {
          request-timeout = 750ms
          max-key-bytes = 2KiB
          replica.max-write-batch = 8
          test.clock-offset = -250ms
        }
        """);
    assertEquals(Duration.ofMillis(750), settings.requestTimeout());
    assertEquals(2048, settings.maxKeyBytes());
    assertEquals(8, settings.maxWriteBatch());
    assertEquals(Duration.ofMillis(-250), settings.clockOffset());
  }

  @Test
  void fromConfig_nonPositiveRequestTimeout_isInvalid() {
    assertInvalid("mini-dynamo.request-timeout = 0s", "request-timeout must be positive");
  }

  @Test
  void fromConfig_maxTimeoutBelowDefault_isInvalid() {
    assertInvalid("mini-dynamo.max-request-timeout = 1s\nmini-dynamo.request-timeout = 2s",
        "max-request-timeout is below request-timeout");
  }

  @Test
  void fromConfig_nonPositiveReplicaSettings_areInvalid() {
    assertInvalid("mini-dynamo.replica.max-write-batch = 0", "replica settings must be positive");
    assertInvalid("mini-dynamo.replica.max-pending-writes = 0", "replica settings must be positive");
    assertInvalid("mini-dynamo.replica.snapshot-every = 0", "replica settings must be positive");
  }

  @Test
  void fromConfig_wrongType_isInvalidNamingApplicationConf() {
    assertInvalid("mini-dynamo.request-timeout = soon", "application.conf", "request-timeout");
  }

  private static NodeSettings settings(String overrides) {
    return NodeSettings.fromConfig(
        ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()));
  }

  private static void assertInvalid(String overrides, String... messageParts) {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> settings(overrides));
    for (String part : messageParts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' missing in: " + e.getMessage());
    }
  }
}
