package io.minidynamo.bench;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Materializer;

/**
 * Benchmark reference, NOT part of the store: a single-JVM in-memory key-value server on Pekko
 * HTTP, with no replication, no disk and no versions. {@code scripts/bench.sh} runs it beside the
 * cluster as the throughput ceiling of "Pekko HTTP plus a hash map" on the same machine.
 *
 * <p>Same API shape as a node: {@code PUT /kv/<key>} stores the body (204), {@code GET /kv/<key>}
 * answers 200 with it or 404, {@code DELETE /kv/<key>} 204, {@code GET /health} 200.
 *
 * <pre>java -cp target/mini-dynamo.jar io.minidynamo.bench.InMemoryKvServer --listen 127.0.0.1:9101</pre>
 */
public final class InMemoryKvServer {
  private static final String PREFIX = "/kv/";
  private static final long STRICT_TIMEOUT_MILLIS = 5_000;

  private InMemoryKvServer() {}

  public static void main(String[] args) {
    String listen = args.length == 2 && args[0].equals("--listen") ? args[1] : null;
    int colon = listen == null ? -1 : listen.lastIndexOf(':');
    if (colon <= 0) {
      System.err.println("usage: InMemoryKvServer --listen <host>:<port>");
      System.exit(2);
      return;
    }
    String host = listen.substring(0, colon);
    int port = Integer.parseInt(listen.substring(colon + 1));

    // a plain local actor system: none of the node's cluster or journal settings are used
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "in-memory-kv",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    Materializer mat = Materializer.matFromSystem(system);
    ConcurrentHashMap<String, byte[]> map = new ConcurrentHashMap<>();

    Function<HttpRequest, CompletionStage<HttpResponse>> handler = request -> handle(request, map, system, mat);
    Http.get(system).newServerAt(host, port).bind(handler)
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            System.err.println("in-memory-kv: cannot bind " + listen + ": " + failure);
            system.terminate();
          } else {
            System.out.println("in-memory-kv: listening on " + binding.localAddress());
          }
        });
    system.getWhenTerminated().toCompletableFuture().join();
  }

  private static CompletionStage<HttpResponse> handle(
      HttpRequest request, ConcurrentHashMap<String, byte[]> map, ActorSystem<Void> system, Materializer mat) {
    String path = request.getUri().path();
    if (path.equals("/health")) {
      request.discardEntityBytes(system);
      return done(HttpResponse.create().withEntity("ok"));
    }
    if (!path.startsWith(PREFIX) || path.length() == PREFIX.length()) {
      request.discardEntityBytes(system);
      return done(HttpResponse.create().withStatus(StatusCodes.NOT_FOUND));
    }
    String key = path.substring(PREFIX.length());
    if (request.method().equals(HttpMethods.PUT)) {
      // small bodies arrive strict: store them without a hop through the stream materializer
      if (request.entity() instanceof HttpEntity.Strict strict) {
        map.put(key, strict.getData().toArray());
        return done(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
      }
      // Runnable::run: Pekko's CompletionStage would run a plain thenApply on the default async
      // pool, a new thread per callback on a 2-core machine
      return request.entity().toStrict(STRICT_TIMEOUT_MILLIS, mat).thenApplyAsync(strict -> {
        map.put(key, strict.getData().toArray());
        return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
      }, Runnable::run);
    }
    request.discardEntityBytes(system);
    if (request.method().equals(HttpMethods.GET)) {
      byte[] value = map.get(key);
      return done(value == null
          ? HttpResponse.create().withStatus(StatusCodes.NOT_FOUND)
          : HttpResponse.create().withEntity(ContentTypes.APPLICATION_OCTET_STREAM, value));
    }
    if (request.method().equals(HttpMethods.DELETE)) {
      map.remove(key);
      return done(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
    }
    return done(HttpResponse.create().withStatus(StatusCodes.METHOD_NOT_ALLOWED));
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
