package io.minidynamo.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.minidynamo.antientropy.AntiEntropy;
import io.minidynamo.config.ClusterConfig;
import io.minidynamo.config.NodeSettings;
import io.minidynamo.coordinator.Coordinators;
import io.minidynamo.coordinator.GetCoordinator;
import io.minidynamo.coordinator.PutCoordinator;
import io.minidynamo.handoff.HintProtocol;
import io.minidynamo.metrics.NodeMetrics;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.ring.Ring;
import io.minidynamo.storage.RecoveryStats;
import io.minidynamo.storage.journal.StorageStats;
import io.minidynamo.versioning.Record;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;

/**
 * The routes of the client API ({@code /kv/<key>}), the inspection endpoint
 * ({@code /internal/get}) and the debug endpoints. Builds routes only; {@link HttpServer} binds them.
 *
 * <p>Every error is a JSON {@code {"error": ...}} with a 4xx status (503 for a missed quorum); no
 * input reaches a 500.
 */
public final class HttpApi extends AllDirectives {
  /** Extra time the HTTP layer waits for a coordinator beyond the request's own deadline. */
  private static final Duration ASK_SLACK = Duration.ofSeconds(1);
  /**
   * Continuations of asks and streams run on the thread that completed them. The CompletionStages
   * Pekko returns run their non-async callbacks through the default async pool, which on a 2-core
   * machine starts a new thread per callback (the common pool has parallelism 1 there).
   */
  private static final Executor SAME_THREAD = Runnable::run;

  /** Added by Pekko HTTP when {@code pekko.http.server.raw-request-uri-header = on}. */
  private static final String RAW_URI_HEADER = "Raw-Request-URI";
  private static final List<HttpMethod> KV_METHODS =
      List.of(HttpMethods.GET, HttpMethods.PUT, HttpMethods.DELETE);
  /** Prometheus' text exposition format (0.0.4) is served as plain UTF-8 text. */
  private static final ContentType.WithCharset PROMETHEUS_TEXT = ContentTypes.TEXT_PLAIN_UTF8;

  private final String nodeId;
  private final ClusterConfig cluster;
  private final Ring ring;
  private final NodeSettings settings;
  private final ActorSystem<?> system;
  private final ActorRef<Coordinators.Command> coordinators;
  private final ActorRef<ReplicaProtocol.Command> localReplica;
  private final ActorRef<ReplicaProtocol.Command> hints;
  private final ActorRef<AntiEntropy.Command> antiEntropy;
  private final RecoveryStats recovery;
  private final Path dataDir;
  private final NodeMetrics metrics;

  /** The parts of this node the API talks to. */
  public record Node(
      ActorRef<Coordinators.Command> coordinators,
      ActorRef<ReplicaProtocol.Command> replica,
      ActorRef<ReplicaProtocol.Command> hints,
      ActorRef<AntiEntropy.Command> antiEntropy,
      RecoveryStats recovery,
      Path dataDir) {}

  public HttpApi(
      String nodeId,
      ClusterConfig cluster,
      NodeSettings settings,
      ActorSystem<?> system,
      Node node) {
    this.nodeId = nodeId;
    this.cluster = cluster;
    this.ring = cluster.ring();
    this.settings = settings;
    this.system = system;
    this.coordinators = node.coordinators();
    this.localReplica = node.replica();
    this.hints = node.hints();
    this.antiEntropy = node.antiEntropy();
    this.recovery = node.recovery();
    this.dataDir = node.dataDir();
    this.metrics = NodeMetrics.get(system);
  }

  /**
   * The whole route tree, built once. The Java DSL calls a directive's inner {@code Supplier} for
   * every request that reaches it, so what is built inside one is built per request: the handlers
   * and every route that does not depend on the request are built here, outside the suppliers.
   */
  public Route routes() {
    ExceptionHandler exceptions = exceptionHandler();
    RejectionHandler rejections = rejectionHandler();
    Route kvRoute = extractRequest(this::kv);
    Route healthRoute = methods(Map.of(HttpMethods.GET, this::health));
    Route metricsRoute = methods(Map.of(HttpMethods.GET, this::metrics));
    Route internalGetRoute = methods(Map.of(HttpMethods.POST, this::internalGet));
    Route internal = path("get", () -> internalGetRoute);
    Route ringRoute = methods(Map.of(HttpMethods.GET, this::debugRing));
    Route hintsRoute = methods(Map.of(HttpMethods.GET, this::debugHints));
    Route persistRoute = methods(Map.of(HttpMethods.GET, this::debugPersist));
    Route aeRoute = methods(Map.of(HttpMethods.GET, this::debugAntiEntropy));
    Route debug = concat(
        path("ring", () -> ringRoute),
        path("hints", () -> hintsRoute),
        path("persist", () -> persistRoute),
        path("ae", () -> aeRoute));
    Route endpoints = concat(
        pathPrefix("kv", () -> kvRoute),
        path("health", () -> healthRoute),
        path("metrics", () -> metricsRoute),
        pathPrefix("internal", () -> internal),
        pathPrefix("debug", () -> debug),
        extractUnmatchedPath(path -> complete(Json.error(404, "no such endpoint: " + path))));
    return handleExceptions(exceptions, () -> handleRejections(rejections, () -> endpoints));
  }

  private Route kv(HttpRequest request) {
    HttpMethod method = request.method();
    if (method.equals(HttpMethods.GET)) {
      return get(request);
    } else if (method.equals(HttpMethods.PUT)) {
      return put(request);
    } else if (method.equals(HttpMethods.DELETE)) {
      return delete(request);
    }
    return notAllowed(method, KV_METHODS);
  }

  private Route get(HttpRequest request) {
    long start = System.nanoTime();
    String key = key(request);
    int r = RequestParsing.quorum(request.getUri().query().get("r"), "r", cluster.n())
        .orElse(cluster.r());
    Duration timeout = timeout(request);
    CompletionStage<HttpResponse> response = this.<Coordinators.Command, GetCoordinator.Result>ask(
        coordinators,
        replyTo -> new Coordinators.ClientRead(key, r, timeout, replyTo),
        timeout.plus(ASK_SLACK),
        HttpApi::readResponse,
        this::coordinatorSilent);
    return completeWithFuture(timed("get", start, response));
  }

  private Route put(HttpRequest request) {
    OptionalLong length = request.entity().getContentLengthOption();
    if (length.isPresent() && length.getAsLong() > settings.maxValueBytes()) {
      throw tooLarge();
    }
    if (request.entity() instanceof HttpEntity.Strict strict) {
      // The usual case: the whole body arrived with the request (its length checked above). Reading
      // it needs no stream, whose materialization per request costs more than the rest of a put.
      return write(request, strict.getData().toArray());
    }
    // Counted here rather than by Pekko's limit, whose failure for a chunked body is a generic 400.
    CompletionStage<byte[]> body = request.entity().withoutSizeLimit().getDataBytes()
        .completionTimeout(settings.maxRequestTimeout())
        .runFold(ByteString.emptyByteString(), (sofar, chunk) -> {
          if (sofar.size() + chunk.size() > settings.maxValueBytes()) {
            throw tooLarge();
          }
          return sofar.concat(chunk);
        }, system)
        .thenApplyAsync(ByteString::toArray, SAME_THREAD);
    return onComplete(body, result -> {
      if (result.isSuccess()) {
        return write(request, result.get());
      }
      Throwable failure = result.failed().get();
      return complete(failure instanceof ApiException e
          ? Json.error(e.status(), e.getMessage())
          : Json.error(400, "body could not be read: " + failure.getMessage()));
    });
  }

  private Route delete(HttpRequest request) {
    return write(request, null);
  }

  /** A put, or a delete when {@code value} is null. */
  private Route write(HttpRequest request, byte[] value) {
    long start = System.nanoTime();
    String key = key(request);
    int w = RequestParsing.quorum(request.getUri().query().get("w"), "w", cluster.n())
        .orElse(cluster.w());
    Duration timeout = timeout(request);
    CompletionStage<HttpResponse> response = this.<Coordinators.Command, PutCoordinator.Result>ask(
        coordinators,
        replyTo -> new Coordinators.ClientWrite(key, value, w, timeout, replyTo),
        timeout.plus(ASK_SLACK),
        HttpApi::writeResponse,
        this::coordinatorSilent);
    return completeWithFuture(timed(value == null ? "delete" : "put", start, response));
  }

  /**
   * Asks an actor of this node and renders its answer; no answer within {@code timeout} becomes
   * {@code onSilence}. The one place the API waits on an actor.
   */
  private <C, R> CompletionStage<HttpResponse> ask(
      ActorRef<C> target,
      Function<ActorRef<R>, C> message,
      Duration timeout,
      Function<R, HttpResponse> onReply,
      Function<Throwable, HttpResponse> onSilence) {
    return AskPattern.<C, R>ask(target, message::apply, timeout, system.scheduler())
        .handleAsync((reply, failure) -> failure != null ? onSilence.apply(failure) : onReply.apply(reply),
            SAME_THREAD);
  }

  private static Function<Throwable, HttpResponse> silent(String who) {
    return failure -> Json.error(503, who + " did not answer in time");
  }

  /** The key from the path exactly as the client sent it, so invalid UTF-8 is seen, not replaced. */
  private String key(HttpRequest request) {
    String raw = request.getHeader(RAW_URI_HEADER)
        .map(header -> header.value())
        .orElseGet(() -> request.getUri().asScala().path().toString());
    int query = raw.indexOf('?');
    return RequestParsing.key(query < 0 ? raw : raw.substring(0, query), settings.maxKeyBytes());
  }

  private Duration timeout(HttpRequest request) {
    return RequestParsing.timeout(request.getUri().query().get("timeout"), settings.maxRequestTimeout())
        .orElse(settings.requestTimeout());
  }

  /** Records the request in the metrics when its response is ready. */
  private CompletionStage<HttpResponse> timed(
      String op, long startNanos, CompletionStage<HttpResponse> response) {
    return response.thenApplyAsync(r -> {
      int status = r.status().intValue();
      String outcome = status < 300 ? "ok" : status == 404 ? "not_found"
          : status == 503 ? "unavailable" : "error";
      metrics.request(op, outcome, System.nanoTime() - startNanos);
      return r;
    }, SAME_THREAD);
  }

  private static HttpResponse readResponse(GetCoordinator.Result result) {
    if (result instanceof GetCoordinator.Result.Found found) {
      return HttpResponse.create()
          .withStatus(StatusCodes.OK)
          .withEntity(ContentTypes.APPLICATION_OCTET_STREAM, found.record().value());
    }
    if (result instanceof GetCoordinator.Result.Failed failed) {
      return Json.error(503, "read quorum not reached",
          "replies", failed.replies(), "required", failed.required());
    }
    return Json.error(404, "not found");
  }

  private static HttpResponse writeResponse(PutCoordinator.Result result) {
    if (result instanceof PutCoordinator.Result.Failed failed) {
      return Json.error(503, "write quorum not reached",
          "acks", failed.acks(), "required", failed.required());
    }
    return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
  }

  private HttpResponse coordinatorSilent(Throwable failure) {
    system.log().warn("coordinator did not answer: {}", failure.toString());
    return silent("coordinator").apply(failure);
  }

  private Route metrics() {
    return complete(HttpResponse.create().withEntity(PROMETHEUS_TEXT, metrics.scrape()));
  }

  /** 200 once every replica partition has recovered from disk; 503 "recovering" before. */
  private Route health() {
    RecoveryStats.Snapshot progress = recovery.snapshot();
    if (progress.partitionsRecovered() < progress.partitions()) {
      return complete(Json.response(503, Json.object("node", nodeId, "status", "recovering",
          "partitions_recovered", progress.partitionsRecovered(), "partitions", progress.partitions())));
    }
    return complete(Json.response(200, Json.object("node", nodeId, "status", "ok")));
  }

  /** This node's own copy of a key, without quorum (inspection). */
  private Route internalGet() {
    return extractStrictEntity(settings.requestTimeout(), settings.maxKeyBytes() * 8L + 1024,
        entity -> {
          String key = internalGetKey(entity.getData().toArray());
          int partition = ring.partitionOf(key);
          CompletionStage<HttpResponse> response =
              this.<ReplicaProtocol.Command, ReplicaProtocol.ReadReply>ask(
                  localReplica,
                  replyTo -> new ReplicaProtocol.Read(partition, key, replyTo),
                  settings.requestTimeout(),
                  reply -> Json.response(200, internalGetBody(reply)),
                  silent("local replica"));
          return completeWithFuture(response);
        });
  }

  private String internalGetKey(byte[] body) {
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new ApiException(400, "body is not valid JSON: expected {\"key\": \"...\"}");
    }
    JsonNode key = json == null ? null : json.get("key");
    if (key == null || !key.isTextual() || key.asText().isEmpty()) {
      throw new ApiException(400, "body must be {\"key\": \"<non-empty string>\"}");
    }
    if (key.asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > settings.maxKeyBytes()) {
      throw new ApiException(400, "key is longer than the limit of " + settings.maxKeyBytes() + " bytes");
    }
    return key.asText();
  }

  private static Map<String, Object> internalGetBody(ReplicaProtocol.ReadReply reply) {
    Record record = reply.record();
    if (record == null) {
      return Json.object("found", false, "record", null);
    }
    return Json.object("found", true, "record", Json.object(
        "key", record.key(),
        "value", Base64.getEncoder().encodeToString(record.value()),
        "ts", record.version().timestamp(),
        "writer_id", record.version().writer(),
        "deleted", record.tombstone()));
  }

  private Route debugRing() {
    List<Map<String, Object>> partitions = new ArrayList<>();
    for (int p = 0; p < ring.size(); p++) {
      partitions.add(Json.object(
          "partition", p, "owner", ring.owner(p), "preference_list", ring.preferenceList(p)));
    }
    return complete(Json.response(200, Json.object(
        "node", nodeId,
        "ring_size", ring.size(),
        "n", cluster.n(), "r", cluster.r(), "w", cluster.w(),
        "nodes", cluster.nodeIds(),
        "local_partitions", ring.partitionsReplicatedBy(nodeId),
        "partitions", partitions)));
  }

  private Route debugPersist() {
    StorageStats storage = StorageStats.get(system);
    return complete(Json.response(200, Json.object(
        "node", nodeId,
        "data_dir", dataDir.toString(),
        "durability", settings.durability().name().toLowerCase(java.util.Locale.ROOT),
        "journal", storage.journal(),
        "snapshots", storage.snapshots(),
        "recovery", recovery.snapshot())));
  }

  private Route debugAntiEntropy() {
    CompletionStage<HttpResponse> response = this.<AntiEntropy.Command, AntiEntropy.Stats>ask(
        antiEntropy, AntiEntropy.GetStats::new, settings.requestTimeout(),
        stats -> Json.response(200, Json.object(
                "node", nodeId,
                "enabled", stats.enabled(),
                "rounds", stats.rounds(),
                "exchanges", stats.exchanges(),
                "pairs_in_sync", stats.partitionsInSync(),
                "pairs_out_of_sync", stats.partitionsOutOfSync(),
                "hashes_compared", stats.hashesCompared(),
                "keys_repaired_out", stats.keysPushed(),
                "keys_repaired_in", stats.keysPulled(),
                "errors", stats.errors(),
                "last_error", stats.lastError(),
                "last_exchange_ms_by_peer", stats.lastExchangeMillisByPeer(),
                "waiting_for_handoff", stats.deferredForHandoff(),
                "tombstones_purged", stats.tombstonesPurged(),
                "tombstones_pending_purge", stats.tombstonesPendingPurge(),
                "purge_passes", stats.purgePasses(),
                "purge_blocked_by", stats.lastPurgeBlockedBy())),
        silent("anti-entropy"));
    return completeWithFuture(response);
  }

  private Route debugHints() {
    CompletionStage<HttpResponse> response = this.<ReplicaProtocol.Command, HintProtocol.Stats>ask(
        hints, HintProtocol.GetStats::new, settings.requestTimeout(),
        stats -> Json.response(200, Json.object(
                "node", nodeId,
                "count", stats.count(),
                "targets", stats.targets(),
                "delivered", stats.delivered(),
                "failed_attempts", stats.failedAttempts(),
                "oldest_pending_age_ms", stats.oldestAgeMillis(),
                "delivering_to", stats.delivering())),
        silent("hint store"));
    return completeWithFuture(response);
  }

  /** Dispatches on the method; any other method gets 405 with {@code Allow}. */
  private Route methods(Map<HttpMethod, Supplier<Route>> handlers) {
    List<HttpMethod> allowed = List.copyOf(handlers.keySet());
    return extractMethod(method -> {
      Supplier<Route> handler = handlers.get(method);
      return handler != null ? handler.get() : notAllowed(method, allowed);
    });
  }

  private Route notAllowed(HttpMethod method, List<HttpMethod> allowed) {
    HttpMethod[] sorted = allowed.stream()
        .sorted(java.util.Comparator.comparing(HttpMethod::name))
        .toArray(HttpMethod[]::new);
    return complete(Json.error(405, "method " + method.name() + " not allowed")
        .addHeader(Allow.create(sorted)));
  }

  private ApiException tooLarge() {
    return new ApiException(413, "value is larger than the limit of " + settings.maxValueBytes() + " bytes");
  }

  /** Client errors become their JSON; anything else is a bug, logged, and still answered in JSON. */
  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(ApiException.class, e -> complete(Json.error(e.status(), e.getMessage())))
        .match(IllegalRequestException.class, e ->
            complete(Json.error(e.status().intValue(), e.info().summary())))
        .matchAny(e -> {
          system.log().error("unexpected failure in a request", e);
          return complete(Json.error(500, "internal error: " + e.getClass().getSimpleName()));
        })
        .build();
  }

  private RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handleNotFound(complete(Json.error(404, "no such endpoint")))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(response -> response.entity().getContentType().equals(ContentTypes.APPLICATION_JSON)
            ? response
            : Json.error(response.status().intValue(), response.status().reason()));
  }
}
