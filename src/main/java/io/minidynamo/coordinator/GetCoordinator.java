package io.minidynamo.coordinator;

import io.minidynamo.coordinator.Coordinators.RequestTimer;
import io.minidynamo.handoff.HintProtocol.ReadHinted;
import io.minidynamo.replica.CommittedReads;
import io.minidynamo.replica.ReplicaProtocol.Read;
import io.minidynamo.replica.ReplicaProtocol.ReadReply;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.versioning.Record;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One client read (Riak's get FSM): asks the N primaries in parallel (this node, when it is one,
 * answers at once from its durable records: {@link CommittedReads}); a primary that fails, stays
 * silent past the replica timeout, or is known unreachable is replaced by the next fallback node,
 * whose hint store answers with the newest record it holds for the key. Answers with the newest
 * record after R replies ({@link Result.Found}, or {@link Result.NotFound} for missing or deleted),
 * or {@link Result.Failed} at the deadline. It then waits for the remaining replies until the
 * deadline and writes the newest record back to primaries that answered with an older one or none
 * (read repair, bounded by the node's {@link RepairBudget}), then is done. Runs inside
 * {@link Coordinators}.
 */
public final class GetCoordinator extends Request {

  /** The outcome of a client read. */
  public sealed interface Result {
    record Found(Record record) implements Result {}

    /** No replica that answered has the key, or the newest answer is a tombstone. */
    record NotFound() implements Result {}

    record Failed(int replies, int required) implements Result {}
  }

  /** Where and how a read is sent. */
  public record Plan(
      String key,
      int partition,
      List<String> primaries,
      List<String> fallbacks,
      int r,
      Duration timeout,
      Duration replicaTimeout) {}

  private final Plan plan;
  private final Coordinators host;
  private final ReadQuorum quorum;
  private final Deque<String> unusedFallbacks;
  private final ActorRef<Result> replyTo;
  private boolean answered;
  private boolean finished;

  GetCoordinator(long id, Plan plan, Coordinators host, ActorRef<Result> replyTo) {
    super(id);
    this.plan = plan;
    this.host = host;
    this.quorum = new ReadQuorum(plan.primaries(), plan.r());
    this.unusedFallbacks = new ArrayDeque<>(plan.fallbacks());
    this.replyTo = replyTo;
  }

  @Override
  void start() {
    // One timer for all primaries, not one each: they are asked at the same moment.
    host.startTimer(this, RequestTimer.Kind.DEADLINE, null, plan.timeout());
    host.startTimer(this, RequestTimer.Kind.PRIMARIES_SILENT, null, plan.replicaTimeout());
    Read read = new Read(plan.partition(), plan.key(), id(), host.replies());
    CommittedReads.Committed local = null;
    for (String node : plan.primaries()) {
      if (host.reachability().isUnreachable(node)) {
        quorum.fail(node);
        askFallback();
      } else if (node.equals(host.nodeId())) {
        local = host.committed().read(plan.partition(), plan.key());
        if (local == null) { // not readable here now: the replica actor answers once it can
          host.peers().replica(node).tell(read);
        }
      } else {
        host.peers().replica(node).tell(read);
      }
    }
    if (local != null) { // after the others were asked, so they are not kept waiting
      accept(host.nodeId(), local.record());
    }
    next();
  }

  /** Asks the next fallback's hint store in place of a failed primary, if one is left. */
  private void askFallback() {
    String fallback = unusedFallbacks.poll();
    if (fallback != null) {
      quorum.addFallback(fallback);
      host.peers().hints(fallback).tell(
          new ReadHinted(plan.partition(), plan.key(), id(), host.replies()));
      host.startTimer(this, RequestTimer.Kind.FALLBACK_SILENT, fallback, plan.replicaTimeout());
    }
  }

  @Override
  void onReadReply(ReadReply reply) {
    if (reply.ok()) {
      accept(reply.node(), reply.record());
    } else if (!quorum.hasSettled(reply.node())) {
      quorum.fail(reply.node());
      askFallback();
    }
    next();
  }

  /** {@code node}'s copy of the key ({@code record}, null when it has none). */
  private void accept(String node, Record record) {
    if (record != null) {
      host.clock().observe(record.version().timestamp());
    }
    quorum.reply(node, record);
  }

  @Override
  void onTimer(RequestTimer.Kind kind, String node) {
    switch (kind) {
      case PRIMARIES_SILENT -> plan.primaries().forEach(this::failIfSilent);
      case FALLBACK_SILENT -> failIfSilent(node);
      case DEADLINE -> {
        if (!answered) {
          answered = true;
          replyTo.tell(new Result.Failed(quorum.replies(), quorum.required()));
        }
        finish();
        return;
      }
      case HARD_DEADLINE -> { } // not used by reads: they end at the deadline
    }
    next();
  }

  private void failIfSilent(String node) {
    if (!quorum.hasSettled(node)) {
      quorum.fail(node);
      askFallback();
    }
  }

  private void next() {
    if (!answered && quorum.isMet()) {
      answer(quorum.newest());
    } else if (!answered && quorum.isImpossible()) {
      answered = true;
      replyTo.tell(new Result.Failed(quorum.replies(), quorum.required()));
    }
    if (quorum.isComplete()) {
      finish();
    }
  }

  private void answer(Optional<Record> newest) {
    answered = true;
    replyTo.tell(newest.filter(record -> !record.tombstone())
        .<Result>map(Result.Found::new)
        .orElseGet(Result.NotFound::new));
  }

  @Override
  boolean isDone() {
    return finished;
  }

  /**
   * Read repair of the primaries that answered with an older record or none: best effort, within
   * the node's repair budget (anti-entropy repairs what is skipped).
   */
  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    quorum.newest().ifPresent(newest -> {
      List<String> stale = quorum.staleNodes();
      if (!stale.isEmpty() && host.repairs().tryAcquire(stale.size())) {
        host.context().getLog().debug("read repair of {} on {}", newest.key(), stale);
        ActorRef<WriteAck> ignore = host.context().getSystem().ignoreRef();
        for (String node : stale) {
          host.peers().replica(node).tell(new Write(plan.partition(), newest, ignore));
        }
      }
    });
  }
}
