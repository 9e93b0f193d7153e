package io.minidynamo.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * The node's Prometheus metrics (Micrometer), one registry per actor system: components reach it
 * through {@link #get(ActorSystem)} and register their own meters, so no constructor carries it.
 * Meter names start with {@code minidynamo_}; {@link #scrape()} renders the text format for
 * {@code GET /metrics}. Thread-safe.
 */
public final class NodeMetrics implements Extension {
  private static final Id ID = new Id();

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicLong> gaugeValues = new ConcurrentHashMap<>();
  /** Request timers by "op outcome": looked up on every request, registered once. */
  private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();

  private NodeMetrics() {}

  public static NodeMetrics get(ActorSystem<?> system) {
    return ID.get(Adapter.toClassic(system));
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** A client request finished: {@code op} get/put/delete, {@code outcome} ok/not_found/unavailable/... */
  public void request(String op, String outcome, long nanos) {
    requestTimers.computeIfAbsent(op + " " + outcome, key -> Timer.builder("minidynamo_requests")
            .description("client requests by operation and outcome")
            .tags("op", op, "outcome", outcome)
            .publishPercentileHistogram()
            .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  public Counter counter(String name, String description, String... tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  /**
   * The value behind a gauge, registered on first use: an actor that restarts gets the same one
   * back, so the gauge never points at a dead actor's state.
   */
  public AtomicLong gaugeValue(String name, String description, String... tags) {
    return gaugeValues.computeIfAbsent(name + String.join(",", tags), key -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(name, value, AtomicLong::get)
          .description(description)
          .tags(tags)
          .strongReference(true)
          .register(registry);
      return value;
    });
  }

  public String scrape() {
    return registry.scrape();
  }

  private static final class Id extends AbstractExtensionId<NodeMetrics> implements ExtensionIdProvider {
    @Override
    public NodeMetrics createExtension(ExtendedActorSystem system) {
      return new NodeMetrics();
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
