package io.minidynamo;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * {@link ActorContext#ask} without a thread per answer. Pekko's Java ask pipes a Scala-backed
 * {@code CompletionStage} to the actor with {@code handle}, which that stage runs through the
 * common pool; on a 2-core machine the common pool has parallelism 1 and the JDK then starts a new
 * thread for every callback. Here the answer is mapped on the thread that completed it and told to
 * the actor, exactly as {@code context.ask} does (the mapping runs outside the actor: it must only
 * build a message, never touch the actor's state).
 */
public final class Asks {
  private static final Executor SAME_THREAD = Runnable::run;

  private Asks() {}

  /**
   * As {@code context.ask(responseClass, target, timeout, createRequest, applyToResponse)}.
   *
   * @param responseClass the answer's type (only to guide type inference, as in Pekko's ask)
   */
  public static <Req, Res, T> void ask(
      ActorContext<T> context,
      Class<Res> responseClass,
      RecipientRef<Req> target,
      Duration timeout,
      Function<ActorRef<Res>, Req> createRequest,
      BiFunction<Res, Throwable, T> applyToResponse) {
    ActorRef<T> self = context.getSelf();
    AskPattern.<Req, Res>ask(target, createRequest::apply, timeout, context.getSystem().scheduler())
        .whenCompleteAsync(
            (response, failure) -> self.tell(applyToResponse.apply(response, failure)), SAME_THREAD);
  }
}
