package io.minidynamo.dispatch;

import com.typesafe.config.Config;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;
import org.apache.pekko.dispatch.MonitorableThreadFactory;

/**
 * Lets a Pekko dispatcher run on a {@link LocalFirstPool}: {@code executor =
 * "io.minidynamo.dispatch.LocalFirstExecutorConfigurator"} in the dispatcher's section, with its
 * settings under {@code local-first-executor} there (defaults in reference.conf).
 */
public final class LocalFirstExecutorConfigurator extends ExecutorServiceConfigurator {

  private final int threads;
  private final int wakeThreshold;
  private final long watchdogNanos;

  public LocalFirstExecutorConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    Config settings = config.getConfig("local-first-executor");
    this.threads = settings.getInt("threads");
    this.wakeThreshold = settings.getInt("wake-threshold");
    this.watchdogNanos = settings.getDuration("watchdog-period", TimeUnit.NANOSECONDS);
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory factory) {
    // workers named after the dispatcher, as Pekko's own pools name theirs
    ThreadFactory named = factory instanceof MonitorableThreadFactory monitorable
        ? monitorable.withName(monitorable.name() + "-" + id)
        : factory;
    return () -> new LocalFirstPool(threads, wakeThreshold, watchdogNanos, named);
  }
}
