package io.minidynamo;

import io.minidynamo.antientropy.AntiEntropy;
import io.minidynamo.antientropy.AntiEntropyExchange;
import io.minidynamo.cluster.MembershipBootstrap;
import io.minidynamo.cluster.MembershipListener;
import io.minidynamo.cluster.Peers;
import io.minidynamo.cluster.Reachability;
import io.minidynamo.config.ClusterConfig;
import io.minidynamo.config.HostPort;
import io.minidynamo.config.NodeInfo;
import io.minidynamo.config.NodeSettings;
import io.minidynamo.coordinator.Coordinators;
import io.minidynamo.coordinator.RepairBudget;
import io.minidynamo.handoff.HintStore;
import io.minidynamo.http.HttpApi;
import io.minidynamo.metrics.NodeGauges;
import io.minidynamo.http.HttpServer;
import io.minidynamo.replica.CommittedReads;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.ReplicaRouter;
import io.minidynamo.replica.WriteBatcher;
import io.minidynamo.ring.Ring;
import io.minidynamo.storage.RecoveryStats;
import io.minidynamo.versioning.HybridClock;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The node's root actor: wiring only. Spawns the replica router, the hint store and the
 * coordinator entry point under their fixed names, resolves the peers, listens to membership, and
 * binds the HTTP API; if the HTTP port cannot be
 * bound the node stops with one clear line. It takes no messages.
 */
public final class Guardian {
  private Guardian() {}

  public static Behavior<Void> create(
      NodeInfo self, ClusterConfig cluster, NodeSettings settings, HostPort listen, Path dataDir) {
    return Behaviors.setup(context -> {
      Ring ring = cluster.ring();
      HybridClock clock = HybridClock.system(settings.clockOffset().toMillis());
      List<Integer> held = ring.partitionsReplicatedBy(self.id());
      RecoveryStats recovery = new RecoveryStats(held.size(), System::currentTimeMillis);
      CommittedReads committed = new CommittedReads(held);
      ActorRef<ReplicaProtocol.Command> replica = context.spawn(
          ReplicaRouter.create(self.id(), ReplicaRouter.heldPartitions(ring, self.id()), clock, settings,
              recovery, committed),
          ReplicaRouter.NAME);
      Map<String, ActorRef<ReplicaProtocol.Command>> replicas =
          Peers.resolveAll(context.getSystem(), cluster, ReplicaRouter.NAME);
      ActorRef<ReplicaProtocol.Command> hints = context.spawn(
          HintStore.create(self.id(), new Peers(replicas, Map.of()), hintSettings(settings)),
          HintStore.NAME);
      Peers peers = new Peers(replicas, Peers.resolveAll(context.getSystem(), cluster, HintStore.NAME));
      Reachability reachability = new Reachability();
      context.spawn(MembershipListener.create(cluster, reachability, hints), "membership-listener");
      context.spawn(
          MembershipBootstrap.create(self.id(), cluster, settings.membershipProbeInterval()), MembershipBootstrap.NAME);
      RepairBudget repairs = new RepairBudget(settings.readRepairsPerSecond(), System::nanoTime);
      ActorRef<Coordinators.Command> coordinators = context.spawn(
          Coordinators.create(self.id(), ring, peers, committed, clock, reachability,
              new Coordinators.Settings(settings.replicaTimeout(), settings.hintsEnabled(), repairs)),
          "coordinator");
      NodeGauges.register(context.getSystem(),
          cluster.nodeIds().stream().filter(id -> !id.equals(self.id())).toList(),
          reachability, repairs, recovery);
      ActorRef<AntiEntropy.Command> antiEntropy = context.spawn(
          AntiEntropy.create(self.id(), ring, peers, reachability, antiEntropySettings(settings),
              System::currentTimeMillis),
          AntiEntropy.NAME);
      HttpApi api = new HttpApi(self.id(), cluster, settings, context.getSystem(),
          new HttpApi.Node(coordinators, replica, hints, antiEntropy, recovery, dataDir));
      bind(context, listen, api);
      logStart(context, self, cluster, settings, listen, dataDir);
      return Behaviors.empty();
    });
  }

  private static AntiEntropy.Settings antiEntropySettings(NodeSettings settings) {
    return new AntiEntropy.Settings(
        settings.antiEntropyEnabled(),
        settings.antiEntropyInterval(),
        settings.antiEntropyConcurrency(),
        new AntiEntropyExchange.Settings(settings.antiEntropyLevelsPerStep(),
            settings.antiEntropyMaxKeys(), settings.antiEntropyTimeout()),
        settings.tombstoneGrace(),
        settings.tombstonePurgeBatch(),
        settings.antiEntropyHandoffDeferral());
  }

  private static HintStore.Settings hintSettings(NodeSettings settings) {
    return new HintStore.Settings(
        settings.hintDeliveryInterval(),
        settings.hintDeliveryBatch(),
        settings.hintDeliveryTimeout(),
        settings.hintProbeTimeout(),
        new WriteBatcher.Limits(
            settings.maxWriteBatch(), settings.maxPendingWrites(), settings.maxRequestTimeout()),
        settings.hintSnapshotEvery(),
        settings.tombstoneGrace());
  }

  private static void bind(ActorContext<Void> context, HostPort listen, HttpApi api) {
    HttpServer.start(context.getSystem(), listen, api.routes()).whenComplete((binding, failure) -> {
      if (failure == null) {
        context.getSystem().log().info("node up: serving HTTP on {}", binding.localAddress());
      } else {
        System.err.println("mini-dynamo: cannot listen on " + listen + ": " + failure.getMessage());
        System.exit(1); // runs coordinated shutdown through the JVM shutdown hook
      }
    });
  }

  private static void logStart(
      ActorContext<Void> context,
      NodeInfo self,
      ClusterConfig cluster,
      NodeSettings settings,
      HostPort listen,
      Path dataDir) {
    context.getLog().info(
        "node {} starting: http {}, remote {}, N={} R={} W={}, ring-size {}, durability {}, data dir {}",
        self.id(), listen, self.remote(), cluster.n(), cluster.r(), cluster.w(), cluster.ringSize(),
        settings.durability().name().toLowerCase(java.util.Locale.ROOT), dataDir);
    if (settings.durability() == NodeSettings.Durability.NONE) {
      context.getLog().warn("*** durability = none: acknowledged writes are NOT fsynced and can be lost "
          + "on a crash or power loss. Use only for comparisons. ***");
    }
  }
}
