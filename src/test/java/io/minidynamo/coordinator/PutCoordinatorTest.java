package io.minidynamo.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.minidynamo.cluster.Peers;
import io.minidynamo.replica.ReplicaProtocol;
import io.minidynamo.replica.ReplicaProtocol.Write;
import io.minidynamo.replica.ReplicaProtocol.WriteAck;
import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The put coordinator against probe replicas: answers once, on quorum, failure or deadline, then stops. */
class PutCoordinatorTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final List<String> TARGETS = List.of("n1", "n2", "n3");
  private static final int PARTITION = 5;
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final Duration SHORT = Duration.ofMillis(300);
  private static final Duration QUIET = Duration.ofMillis(100);
  private static final Record RECORD =
      Record.put("k", "v".getBytes(StandardCharsets.UTF_8), new Version(1000, "n1"));

  private TestProbe<ReplicaProtocol.Command> n1;
  private TestProbe<ReplicaProtocol.Command> n2;
  private TestProbe<ReplicaProtocol.Command> n3;
  private TestProbe<PutCoordinator.Result> client;
  private Peers peers;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void probes() {
    n1 = testKit.createTestProbe();
    n2 = testKit.createTestProbe();
    n3 = testKit.createTestProbe();
    client = testKit.createTestProbe();
    peers = new Peers(Map.of("n1", n1.ref(), "n2", n2.ref(), "n3", n3.ref()));
  }

  @Test
  void create_sendsTheRecordToEveryPrimary() {
    start(2, LONG);
    for (TestProbe<ReplicaProtocol.Command> replica : List.of(n1, n2, n3)) {
      Write write = replica.expectMessageClass(Write.class);
      assertEquals(PARTITION, write.partition());
      assertEquals(RECORD, write.record());
    }
  }

  @Test
  void ack_wAcks_answersOkAndStops() {
    ActorRef<PutCoordinator.Command> coordinator = start(2, LONG);
    ack(n1, "n1");
    client.expectNoMessage(QUIET);
    ack(n3, "n3");
    client.expectMessage(new PutCoordinator.Result.Ok(RECORD, 2));
    client.expectTerminated(coordinator);
  }

  @Test
  void ack_afterAnswering_isIgnored() {
    ActorRef<PutCoordinator.Command> coordinator = start(1, LONG);
    ack(n1, "n1");
    client.expectMessage(new PutCoordinator.Result.Ok(RECORD, 1));
    client.expectTerminated(coordinator);
    ack(n2, "n2");
    fail(n3, "n3");
    client.expectNoMessage(QUIET);
  }

  @Test
  void ack_sameNodeTwice_countsOnce() {
    start(2, LONG);
    Write write = n1.expectMessageClass(Write.class);
    write.replyTo().tell(WriteAck.ok("n1", "k"));
    write.replyTo().tell(WriteAck.ok("n1", "k"));
    client.expectNoMessage(QUIET);
    ack(n2, "n2");
    client.expectMessage(new PutCoordinator.Result.Ok(RECORD, 2));
  }

  @Test
  void ack_afterAnErrorFromTheSameNode_countsTheAck() {
    start(2, LONG);
    Write write = n1.expectMessageClass(Write.class);
    write.replyTo().tell(new WriteAck("n1", "k", "journal write timed out"));
    write.replyTo().tell(WriteAck.ok("n1", "k"));
    ack(n2, "n2");
    client.expectMessage(new PutCoordinator.Result.Ok(RECORD, 2));
  }

  @Test
  void fail_wNoLongerReachable_answersFailedBeforeTheDeadline() {
    // The deadline is 30 s; the default expectMessage wait (3 s) only passes on an early answer.
    ActorRef<PutCoordinator.Command> coordinator = start(2, LONG);
    fail(n1, "n1");
    client.expectNoMessage(QUIET);
    fail(n2, "n2");
    client.expectMessage(new PutCoordinator.Result.Failed(0, 2));
    client.expectTerminated(coordinator);
  }

  @Test
  void fail_oneAckThenTheRestFail_reportsTheAcks() {
    start(3, LONG);
    ack(n1, "n1");
    fail(n2, "n2");
    client.expectMessage(new PutCoordinator.Result.Failed(1, 3));
  }

  @Test
  void deadline_replicaNeverAnswers_failsWithTheAcksReceived() {
    ActorRef<PutCoordinator.Command> coordinator = start(3, SHORT);
    ack(n1, "n1");
    ack(n2, "n2");
    n3.expectMessageClass(Write.class); // and never answers
    client.expectMessage(new PutCoordinator.Result.Failed(2, 3));
    client.expectTerminated(coordinator);
  }

  @Test
  void deadline_noReplicaAnswers_failsWithZeroAcks() {
    start(1, SHORT);
    client.expectMessage(new PutCoordinator.Result.Failed(0, 1));
    client.expectNoMessage(QUIET);
  }

  private ActorRef<PutCoordinator.Command> start(int w, Duration timeout) {
    return testKit.spawn(
        PutCoordinator.create(RECORD, PARTITION, TARGETS, w, timeout, peers, client.ref()));
  }

  private static void ack(TestProbe<ReplicaProtocol.Command> replica, String node) {
    replica.expectMessageClass(Write.class).replyTo().tell(WriteAck.ok(node, "k"));
  }

  private static void fail(TestProbe<ReplicaProtocol.Command> replica, String node) {
    replica.expectMessageClass(Write.class).replyTo().tell(new WriteAck(node, "k", "disk full"));
  }
}
