package io.minidynamo.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.versioning.Record;
import io.minidynamo.versioning.Version;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure get bookkeeping: R replies, the newest record, which replicas to repair. */
class ReadQuorumTest {
  private static final List<String> TARGETS = List.of("n1", "n2", "n3");
  private static final Record OLD = put("old", 10);
  private static final Record NEW = put("new", 20);
  private static final Record DELETED = Record.tombstone("k", new Version(30, "n1"));

  @Test
  void isMet_rReplies_isTrue() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 2);
    quorum.reply("n1", OLD);
    assertFalse(quorum.isMet());
    quorum.reply("n2", null);
    assertTrue(quorum.isMet());
    assertEquals(2, quorum.replies());
    assertEquals(2, quorum.required());
  }

  @Test
  void isImpossible_tooManyFailures_isTrue() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 2);
    quorum.reply("n1", OLD);
    quorum.fail("n2");
    assertFalse(quorum.isImpossible());
    quorum.fail("n3");
    assertTrue(quorum.isImpossible());
    assertFalse(quorum.isMet());
  }

  @Test
  void reply_sameNodeTwice_countsItsFirstAnswerOnly() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 2);
    quorum.reply("n1", OLD);
    quorum.reply("n1", NEW);
    assertEquals(1, quorum.replies());
    assertFalse(quorum.isMet());
    assertEquals(Optional.of(OLD), quorum.newest());
  }

  @Test
  void reply_afterFailFromTheSameNode_isIgnored() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 1);
    quorum.fail("n1");
    quorum.reply("n1", NEW);
    assertEquals(0, quorum.replies());
    assertEquals(Optional.empty(), quorum.newest());
  }

  @Test
  void fail_afterReplyFromTheSameNode_keepsTheReply() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 1);
    quorum.reply("n1", NEW);
    quorum.fail("n1");
    assertTrue(quorum.isMet());
    assertFalse(quorum.isComplete());
  }

  @Test
  void reply_fromNodeOutsideTheTargets_isIgnored() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 1);
    quorum.reply("n9", NEW);
    assertFalse(quorum.isMet());
    assertEquals(Optional.empty(), quorum.newest());
  }

  @Test
  void isComplete_everyTargetAnsweredOrFailed_isTrue() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 2);
    quorum.reply("n1", OLD);
    quorum.fail("n2");
    assertFalse(quorum.isComplete());
    quorum.reply("n3", null);
    assertTrue(quorum.isComplete());
  }

  @Test
  void newest_isTheLwwMaximumWhateverTheOrder() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 3);
    quorum.reply("n1", NEW);
    quorum.reply("n2", OLD);
    quorum.reply("n3", null);
    assertEquals(Optional.of(NEW), quorum.newest());
  }

  @Test
  void newest_tombstoneNewerThanPuts_isTheTombstone() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 3);
    quorum.reply("n1", OLD);
    quorum.reply("n2", DELETED);
    quorum.reply("n3", NEW);
    assertEquals(Optional.of(DELETED), quorum.newest());
  }

  @Test
  void newest_noReplicaHasTheKey_isEmpty() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 2);
    quorum.reply("n1", null);
    quorum.reply("n2", null);
    assertEquals(Optional.empty(), quorum.newest());
    assertEquals(List.of(), quorum.staleNodes());
  }

  @Test
  void staleNodes_listsOlderAndMissingOnly() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 3);
    quorum.reply("n1", OLD);
    quorum.reply("n2", NEW);
    quorum.reply("n3", null);
    assertEquals(List.of("n1", "n3"), quorum.staleNodes());
  }

  @Test
  void staleNodes_replicasWithTheNewestVersion_areNotStale() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 3);
    quorum.reply("n1", NEW);
    quorum.reply("n2", put("new", 20)); // equal content from another replica
    quorum.reply("n3", OLD);
    assertEquals(List.of("n3"), quorum.staleNodes());
  }

  @Test
  void staleNodes_failedAndSilentNodes_areNotListed() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 1);
    quorum.reply("n1", NEW);
    quorum.fail("n2");
    assertEquals(List.of(), quorum.staleNodes());
  }

  @Test
  void staleNodes_newestIsATombstone_listsReplicasMissingTheDelete() {
    ReadQuorum quorum = new ReadQuorum(TARGETS, 3);
    quorum.reply("n1", DELETED);
    quorum.reply("n2", null);
    quorum.reply("n3", NEW);
    assertEquals(List.of("n2", "n3"), quorum.staleNodes());
  }

  @Test
  void create_requiredOutsideOneToTargets_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> new ReadQuorum(TARGETS, 0));
    assertThrows(IllegalArgumentException.class, () -> new ReadQuorum(TARGETS, 4));
  }

  private static Record put(String value, long timestamp) {
    return Record.put("k", value.getBytes(StandardCharsets.UTF_8), new Version(timestamp, "n1"));
  }
}
