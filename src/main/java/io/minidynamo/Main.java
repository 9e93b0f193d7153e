package io.minidynamo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.minidynamo.config.ClusterConfig;
import io.minidynamo.config.CommandLine;
import io.minidynamo.config.HostPort;
import io.minidynamo.config.InvalidConfigException;
import io.minidynamo.config.NodeInfo;
import io.minidynamo.config.NodeSettings;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Starts one node: reads the command line, nodes.conf and application.conf, and runs the
 * {@link Guardian}. A configuration problem stops the node at start with one line on stderr and
 * exit status 2. SIGTERM shuts the node down gracefully through Pekko's coordinated shutdown.
 */
public final class Main {
  public static final String SYSTEM_NAME = "mini-dynamo";

  /** Held for the life of the process: the lock on the data dir. */
  private static FileLock dataDirLock;

  private Main() {}

  public static void main(String[] args) {
    if ("json".equalsIgnoreCase(System.getenv("LOG_FORMAT"))
        && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
    NodeStart start;
    try {
      start = prepare(CommandLine.parse(args));
    } catch (InvalidConfigException e) {
      System.err.println("mini-dynamo: " + e.getMessage());
      System.exit(2);
      return;
    }
    start(start).getWhenTerminated().toCompletableFuture().join();
  }

  /** Runs the node {@code start} describes in this JVM. */
  static ActorSystem<Void> start(NodeStart start) {
    return ActorSystem.create(
        Guardian.create(start.self(), start.cluster(), start.settings(), start.listen(), start.dataDir()),
        SYSTEM_NAME,
        start.pekkoConfig());
  }

  /** Everything a node needs, validated. */
  record NodeStart(
      NodeInfo self,
      ClusterConfig cluster,
      NodeSettings settings,
      HostPort listen,
      Path dataDir,
      Config pekkoConfig) {}

  static NodeStart prepare(CommandLine commandLine) {
    ClusterConfig cluster = ClusterConfig.load(commandLine.config());
    NodeInfo self = cluster.requireNode(commandLine.id());
    Path dataDir = commandLine.dataDir().toAbsolutePath();
    lockDataDir(dataDir);
    // system properties > command line and nodes.conf > application.conf > reference.conf
    Config config = ConfigFactory.defaultOverrides()
        .withFallback(pekkoConfig(cluster, self, dataDir, commandLine))
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    NodeSettings settings = NodeSettings.fromConfig(config);
    config = storageConfig(dataDir, settings).withFallback(config).resolve();
    return new NodeStart(
        self, cluster, settings, commandLine.listen().orElse(self.http()), dataDir, config);
  }

  /** The node-specific part of Pekko's configuration, layered over application.conf. */
  static Config pekkoConfig(ClusterConfig cluster, NodeInfo self, Path dataDir, CommandLine commandLine) {
    Map<String, Object> values = new HashMap<>();
    values.put("pekko.actor.provider", "cluster");
    values.put("pekko.coordinated-shutdown.exit-jvm", "on");
    values.put("pekko.remote.artery.canonical.hostname", self.remote().host());
    values.put("pekko.remote.artery.canonical.port", self.remote().port());
    commandLine.listen()
        .filter(listen -> listen.host().equals("0.0.0.0") || listen.host().equals("::"))
        .ifPresent(listen -> values.put("pekko.remote.artery.bind.hostname", listen.host()));
    // no seed-nodes: MembershipBootstrap joins, so a restarted node never forms an island cluster
    values.put("mini-dynamo.data-dir", dataDir.toString());
    return ConfigFactory.parseMap(values, "command line and nodes.conf");
  }

  /** The journal and snapshot store under the data dir, with the node's durability. */
  private static Config storageConfig(Path dataDir, NodeSettings settings) {
    String durability = settings.durability().name().toLowerCase(java.util.Locale.ROOT);
    if (settings.unsafeSkipPersist()) {
      System.err.println("mini-dynamo: WARNING: UNSAFE TEST SETTING mini-dynamo.test.unsafe-skip-persist = on:"
          + " writes are acknowledged but never written to disk; a crash loses them");
    }
    return ConfigFactory.parseMap(Map.of(
        "mini-dynamo.persistence.journal.dir", dataDir.toString(),
        "mini-dynamo.persistence.journal.durability", durability,
        "mini-dynamo.persistence.journal.unsafe-skip-persist", settings.unsafeSkipPersist(),
        "mini-dynamo.persistence.snapshot-store.dir", dataDir.toString(),
        "mini-dynamo.persistence.snapshot-store.durability", durability,
        "mini-dynamo.persistence.snapshot-store.unsafe-skip-persist", settings.unsafeSkipPersist()),
        "data dir and durability");
  }

  /** One process per data dir: a second node on the same dir would corrupt it. */
  private static void lockDataDir(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      FileChannel channel = FileChannel.open(
          dataDir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      dataDirLock = channel.tryLock();
      if (dataDirLock == null) {
        throw new InvalidConfigException("data dir " + dataDir + " is in use by another process");
      }
    } catch (IOException e) {
      throw new InvalidConfigException("data dir " + dataDir + " cannot be used: " + e.getMessage());
    }
  }
}
