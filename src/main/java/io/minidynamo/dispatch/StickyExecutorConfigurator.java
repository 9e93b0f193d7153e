package io.minidynamo.dispatch;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;
import org.apache.pekko.dispatch.MonitorableThreadFactory;

/**
 * A dispatcher's {@code executor = "io.minidynamo.dispatch.StickyExecutorConfigurator"}: runs the
 * dispatcher on a {@link StickyPool}. Read from the dispatcher's {@code sticky-executor} section:
 * {@code threads} (default 4) and {@code stall-check} (default 5 ms: how long queued tasks may wait
 * behind a task that does not finish before another worker is woken for them).
 */
public final class StickyExecutorConfigurator extends ExecutorServiceConfigurator {
  private final int threads;
  private final Duration stallCheck;

  public StickyExecutorConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    Config section = config.hasPath("sticky-executor")
        ? config.getConfig("sticky-executor") : com.typesafe.config.ConfigFactory.empty();
    this.threads = section.hasPath("threads") ? section.getInt("threads") : 4;
    this.stallCheck = section.hasPath("stall-check")
        ? section.getDuration("stall-check") : Duration.ofMillis(5);
    if (threads < 1 || stallCheck.isNegative() || stallCheck.isZero()) {
      throw new IllegalArgumentException(
          "sticky-executor: threads must be >= 1 and stall-check > 0, got " + threads + " and "
              + stallCheck);
    }
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(
      String id, java.util.concurrent.ThreadFactory threadFactory) {
    // named like Pekko's own pools: <system>-<dispatcher id>-<n>
    java.util.concurrent.ThreadFactory named = threadFactory instanceof MonitorableThreadFactory monitorable
        ? monitorable.withName(monitorable.name() + "-" + id)
        : threadFactory;
    return () -> new StickyPool(threads, stallCheck.toNanos(), named);
  }
}
