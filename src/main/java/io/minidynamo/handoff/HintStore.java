package io.minidynamo.handoff;

import io.minidynamo.cluster.Peers;
import io.minidynamo.handoff.HintProtocol.HintedWrite;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.WriteBatcher;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;

/**
 * A node's durable hint store at the fixed path {@code /user/hints}: a {@link WriteBatcher} front
 * (hints are journaled in batches) over the event-sourced {@link HintLog}.
 */
public final class HintStore {
  public static final String NAME = "hints";

  private HintStore() {}

  /** Delivery and batching tuning of the hint store. */
  public record Settings(
      Duration deliveryInterval,
      int deliveryBatch,
      Duration deliveryTimeout,
      Duration probeTimeout,
      WriteBatcher.Limits limits,
      int snapshotEvery,
      Duration maxAge) {}

  public static Behavior<ReplicaProtocol.Command> create(String nodeId, Peers peers, Settings settings) {
    WriteBatcher.Spec<HintedWrite> spec = new WriteBatcher.Spec<>(HintedWrite.class, HintedWrite::fail);
    HintLog.Settings logSettings = new HintLog.Settings(
        settings.deliveryInterval(), settings.deliveryBatch(), settings.deliveryTimeout(),
        settings.probeTimeout(), settings.snapshotEvery(), settings.maxAge());
    return WriteBatcher.create(nodeId, spec, settings.limits(),
        front -> HintLog.create(nodeId, front, peers, logSettings, System::currentTimeMillis));
  }
}
