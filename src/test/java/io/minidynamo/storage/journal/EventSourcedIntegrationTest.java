package io.minidynamo.storage.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both plugins under a typed EventSourcedBehavior: persist(List), snapshots, restart. */
final class EventSourcedIntegrationTest {

  @TempDir Path dir;

  interface Command {}

  record Append(List<String> letters, ActorRef<Done> replyTo) implements Command {}

  record Get(ActorRef<String> replyTo) implements Command {}

  /** State is the concatenation of all events; snapshots every 4 events, old events deleted. */
  static final class Letters extends EventSourcedBehavior<Command, String, String> {
    Letters(String id) {
      super(PersistenceId.ofUniqueId(id));
    }

    @Override
    public String emptyState() {
      return "";
    }

    @Override
    public CommandHandler<Command, String, String> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(Append.class, (state, c) ->
              Effect().persist(c.letters()).thenReply(c.replyTo(), s -> Done.getInstance()))
          .onCommand(Get.class, (state, c) -> Effect().reply(c.replyTo(), state))
          .build();
    }

    @Override
    public EventHandler<String, String> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, e) -> state + e);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return RetentionCriteria.snapshotEvery(4, 1).withDeleteEventsOnSnapshot();
    }
  }

  private String state(ActorTestKit kit, ActorRef<Command> ref) {
    TestProbe<String> probe = kit.createTestProbe();
    ref.tell(new Get(probe.ref()));
    return probe.receiveMessage();
  }

  @Test
  void eventSourcedBehavior_persistListSnapshotsAndRestart_stateRecovered() {
    ActorTestKit first = ActorTestKit.create(JournalTesting.config(dir, ""));
    try {
      ActorRef<Command> letters = first.spawn(new Letters("letters"));
      TestProbe<Done> done = first.createTestProbe();
      letters.tell(new Append(List.of("a", "b", "c"), done.ref()));
      done.expectMessage(Done.getInstance());
      letters.tell(new Append(List.of("d", "e", "f", "g", "h", "i"), done.ref()));
      done.expectMessage(Done.getInstance());
      assertEquals("abcdefghi", state(first, letters));
      TestProbe<Boolean> saved = first.createTestProbe();
      saved.awaitAssert(() -> {
        assertTrue(StorageStats.get(first.system()).snapshots().saved() >= 1);
        return true;
      });
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create(JournalTesting.config(dir, ""));
    try {
      ActorRef<Command> letters = second.spawn(new Letters("letters"));
      assertEquals("abcdefghi", state(second, letters));
      assertTrue(StorageStats.get(second.system()).snapshots().loads() >= 1);
    } finally {
      second.shutdownTestKit();
    }
  }
}
