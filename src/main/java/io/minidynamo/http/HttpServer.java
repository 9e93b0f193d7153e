package io.minidynamo.http;

import io.minidynamo.config.HostPort;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Binds the HTTP routes and registers their graceful unbind with coordinated shutdown (SIGTERM:
 * stop accepting, let requests in flight finish within the hard deadline, then stop the node).
 */
public final class HttpServer {
  private static final Duration DRAIN_DEADLINE = Duration.ofSeconds(10);

  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, HostPort listen, Route routes) {
    return Http.get(system)
        .newServerAt(listen.host(), listen.port())
        .bind(routes)
        .thenApply(binding -> binding.addToCoordinatedShutdown(DRAIN_DEADLINE, system));
  }
}
