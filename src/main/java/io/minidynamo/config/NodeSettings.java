package io.minidynamo.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Node tuning read once from the {@code mini-dynamo} section of application.conf / reference.conf:
 * timeouts, limits, batching and durability. Cluster shape (N, R, W, nodes) is {@link ClusterConfig}.
 *
 * @param requestTimeout default deadline of a client request (overridable per request)
 * @param maxRequestTimeout the largest {@code ?timeout=} a client may ask for
 * @param maxKeyBytes longest key, in UTF-8 bytes
 * @param maxValueBytes largest value
 * @param durability {@code fsync}: an acknowledgement means on disk; {@code none}: page cache only
 * @param maxWriteBatch most writes a replica persists in one journal write
 * @param maxPendingWrites writes a replica queues behind the one in flight before refusing more
 * @param snapshotEvery events between snapshots of a replica partition
 * @param snapshotBytes key and value bytes written between snapshots of a replica partition
 * @param clockOffset test-only skew added to this node's wall clock
 * @param replicaTimeout how long a coordinator waits for a primary before handing off to a fallback
 * @param hintDeliveryInterval how often hints are offered to their targets
 * @param hintDeliveryBatch hints per target per delivery
 * @param hintDeliveryTimeout after which an unacknowledged delivery counts as failed
 * @param hintProbeTimeout after which an unacknowledged probe (one hint to a failed target) counts as failed
 * @param hintSnapshotEvery hint store events between snapshots
 * @param readRepairsPerSecond most read-repair writes this node sends per second
 * @param hintsEnabled whether a failed primary is handed to a fallback with a hint
 * @param antiEntropyEnabled whether Merkle-tree exchanges run
 * @param antiEntropyInterval between rounds
 * @param antiEntropyConcurrency exchanges at a time
 * @param antiEntropyLevelsPerStep tree levels per round trip
 * @param antiEntropyMaxKeys keys one exchange repairs at most
 * @param antiEntropyTimeout deadline of one exchange
 * @param antiEntropyHandoffDeferral longest wait of exchanges with a node that hints are pending for
 * @param membershipProbeInterval how often a node that is not a cluster member probes its peers
 * @param unsafeSkipPersist test-only, deliberately broken: acknowledge writes never written to disk
 * @param tombstoneGrace how old a tombstone must be before it may be purged (and how old a hinted
 *     write's record may be when a hint store accepts it)
 * @param tombstonePurgeBatch tombstones a partition examines for purge per anti-entropy round
 */
public record NodeSettings(
    Duration requestTimeout,
    Duration maxRequestTimeout,
    int maxKeyBytes,
    int maxValueBytes,
    Durability durability,
    int maxWriteBatch,
    int maxPendingWrites,
    int snapshotEvery,
    long snapshotBytes,
    Duration clockOffset,
    Duration replicaTimeout,
    Duration hintDeliveryInterval,
    int hintDeliveryBatch,
    Duration hintDeliveryTimeout,
    Duration hintProbeTimeout,
    int hintSnapshotEvery,
    int readRepairsPerSecond,
    boolean hintsEnabled,
    boolean antiEntropyEnabled,
    Duration antiEntropyInterval,
    int antiEntropyConcurrency,
    int antiEntropyLevelsPerStep,
    int antiEntropyMaxKeys,
    Duration antiEntropyTimeout,
    Duration antiEntropyHandoffDeferral,
    Duration membershipProbeInterval,
    boolean unsafeSkipPersist,
    Duration tombstoneGrace,
    int tombstonePurgeBatch) {

  /** What an acknowledgement promises. */
  public enum Durability {
    FSYNC,
    NONE
  }

  public static NodeSettings fromConfig(Config root) {
    try {
      Config c = root.getConfig("mini-dynamo");
      NodeSettings settings = new NodeSettings(
          c.getDuration("request-timeout"),
          c.getDuration("max-request-timeout"),
          (int) c.getMemorySize("max-key-bytes").toBytes(),
          (int) c.getMemorySize("max-value-bytes").toBytes(),
          parseDurability(c.getString("durability")),
          c.getInt("replica.max-write-batch"),
          c.getInt("replica.max-pending-writes"),
          c.getInt("replica.snapshot-every"),
          c.getMemorySize("replica.snapshot-bytes").toBytes(),
          c.getDuration("test.clock-offset"),
          c.getDuration("replica-timeout"),
          c.getDuration("hints.delivery-interval"),
          c.getInt("hints.delivery-batch"),
          c.getDuration("hints.delivery-timeout"),
          c.getDuration("hints.probe-timeout"),
          c.getInt("hints.snapshot-every"),
          c.getInt("read-repair.max-per-second"),
          c.getBoolean("hints.enabled"),
          c.getBoolean("anti-entropy.enabled"),
          c.getDuration("anti-entropy.interval"),
          c.getInt("anti-entropy.max-concurrent-exchanges"),
          c.getInt("anti-entropy.levels-per-step"),
          c.getInt("anti-entropy.max-keys-per-exchange"),
          c.getDuration("anti-entropy.exchange-timeout"),
          c.getDuration("anti-entropy.max-handoff-deferral"),
          c.getDuration("membership.probe-interval"),
          c.getBoolean("test.unsafe-skip-persist"),
          c.getDuration("anti-entropy.tombstone-grace"),
          c.getInt("anti-entropy.tombstone-purge-batch"));
      settings.validate();
      return settings;
    } catch (ConfigException e) {
      throw new InvalidConfigException("application.conf: " + e.getMessage());
    }
  }

  private static Durability parseDurability(String text) {
    return switch (text) {
      case "fsync" -> Durability.FSYNC;
      case "none" -> Durability.NONE;
      default -> throw new InvalidConfigException(
          "mini-dynamo.durability = '" + text + "' must be fsync or none");
    };
  }

  private void validate() {
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new InvalidConfigException("mini-dynamo.request-timeout must be positive");
    }
    if (maxRequestTimeout.compareTo(requestTimeout) < 0) {
      throw new InvalidConfigException("mini-dynamo.max-request-timeout is below request-timeout");
    }
    if (maxKeyBytes < 1 || maxValueBytes < 0) {
      throw new InvalidConfigException("mini-dynamo.max-key-bytes / max-value-bytes out of range");
    }
    if (maxWriteBatch < 1 || maxPendingWrites < 1 || snapshotEvery < 1 || snapshotBytes < 1) {
      throw new InvalidConfigException("mini-dynamo.replica settings must be positive");
    }
    if (replicaTimeout.isNegative() || replicaTimeout.isZero()) {
      throw new InvalidConfigException("mini-dynamo.replica-timeout must be positive");
    }
    if (hintDeliveryBatch < 1 || hintSnapshotEvery < 1 || hintDeliveryInterval.isZero()
        || hintDeliveryInterval.isNegative() || hintDeliveryTimeout.isZero()
        || hintDeliveryTimeout.isNegative() || hintProbeTimeout.isZero() || hintProbeTimeout.isNegative()) {
      throw new InvalidConfigException("mini-dynamo.hints settings must be positive");
    }
    if (tombstoneGrace.isNegative() || tombstoneGrace.isZero() || tombstonePurgeBatch < 1) {
      throw new InvalidConfigException(
          "mini-dynamo.anti-entropy.tombstone-grace and tombstone-purge-batch must be positive");
    }
  }
}
