package io.minidynamo.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** An actor system whose default dispatcher runs on a {@link LocalFirstPool}, configured by name. */
class LocalFirstExecutorConfiguratorTest {

  private static final Config CONFIG = ConfigFactory.parseString(
      "pekko.actor.default-dispatcher.executor = "
          + "\"io.minidynamo.dispatch.LocalFirstExecutorConfigurator\"\n"
          + "pekko.actor.default-dispatcher.local-first-executor.threads = 3")
      .withFallback(ConfigFactory.load());

  private static final ActorTestKit testKit = ActorTestKit.create(CONFIG);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Counts down a rally between two actors; the last hit tells who ran it. */
  private record Hit(int left, ActorRef<Hit> other, ActorRef<String> done) {}

  private static Behavior<Hit> player() {
    return Behaviors.receive((context, hit) -> {
      if (hit.left() == 0) {
        hit.done().tell(Thread.currentThread().getName());
      } else {
        hit.other().tell(new Hit(hit.left() - 1, context.getSelf(), hit.done()));
      }
      return Behaviors.same();
    });
  }

  @Test
  void defaultDispatcher_runsActorsOnThePoolsWorkers() {
    ActorRef<Hit> a = testKit.spawn(player());
    ActorRef<Hit> b = testKit.spawn(player());
    TestProbe<String> done = testKit.createTestProbe();
    a.tell(new Hit(100_000, b, done.ref()));
    String thread = done.receiveMessage(Duration.ofSeconds(30));
    assertTrue(thread.contains("pekko.actor.default-dispatcher"), "ran on " + thread);
    assertTrue(hasWatchdog(), "no thread of a LocalFirstPool (its watchdog) is running");
  }

  private static boolean hasWatchdog() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .anyMatch(name -> name.contains("pekko.actor.default-dispatcher") && name.endsWith("-watchdog"));
  }

  @Test
  void manyRalliesAtOnce_allFinish() {
    TestProbe<String> done = testKit.createTestProbe();
    int rallies = 64;
    for (int i = 0; i < rallies; i++) {
      ActorRef<Hit> a = testKit.spawn(player());
      ActorRef<Hit> b = testKit.spawn(player());
      a.tell(new Hit(2_000, b, done.ref()));
    }
    assertEquals(rallies, done.receiveSeveralMessages(rallies, Duration.ofSeconds(30)).size());
  }
}
