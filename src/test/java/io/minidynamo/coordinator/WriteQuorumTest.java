package io.minidynamo.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure put bookkeeping: when W is met, when it can no longer be. */
class WriteQuorumTest {
  private static final List<String> TARGETS = List.of("n1", "n2", "n3");

  @Test
  void isMet_wAcks_isTrue() {
    WriteQuorum quorum = new WriteQuorum(TARGETS, 2);
    quorum.ack("n1");
    assertFalse(quorum.isMet());
    quorum.ack("n3");
    assertTrue(quorum.isMet());
    assertEquals(2, quorum.acks());
    assertEquals(2, quorum.required());
  }

  @Test
  void isMet_fewerThanWAcks_isFalseButStillPossible() {
    WriteQuorum quorum = new WriteQuorum(TARGETS, 3);
    quorum.ack("n1");
    quorum.ack("n2");
    assertFalse(quorum.isMet());
    assertFalse(quorum.isImpossible());
  }

  @Test
  void isImpossible_tooManyFailures_isTrue() {
    WriteQuorum quorum = new WriteQuorum(TARGETS, 2);
    quorum.fail("n1");
    assertFalse(quorum.isImpossible());
    quorum.fail("n2");
    assertTrue(quorum.isImpossible());
    assertFalse(quorum.isMet());
  }

  @Test
  void isImpossible_oneAckAndAllOthersFailed_withWOfTwo_isTrue() {
    WriteQuorum quorum = new WriteQuorum(TARGETS, 2);
    quorum.ack("n1");
    quorum.fail("n2");
    assertFalse(quorum.isImpossible());
    quorum.fail("n3");
    assertTrue(quorum.isImpossible());
  }

  @Test
  void ack_sameNodeTwice_countsOnce() {
    WriteQuorum quorum = new WriteQuorum(TARGETS, 2);
    quorum.ack("n1");
    quorum.ack("n1");
    assertEquals(1, quorum.acks());
    assertFalse(quorum.isMet());
  }

  @Test
  void fail_sameNodeTwice_countsOnce() {
    WriteQuorum quorum = new WriteQuorum(TARGETS, 2);
    quorum.fail("n1");
    quorum.fail("n1");
    assertFalse(quorum.isImpossible());
  }

  @Test
  void ack_afterFailFromTheSameNode_replacesTheFailure() {
    WriteQuorum quorum = new WriteQuorum(TARGETS, 3);
    quorum.fail("n1");
    assertTrue(quorum.isImpossible());
    quorum.ack("n1");
    assertFalse(quorum.isImpossible());
    quorum.ack("n2");
    quorum.ack("n3");
    assertTrue(quorum.isMet());
    assertEquals(3, quorum.acks());
  }

  @Test
  void fail_afterAckFromTheSameNode_keepsTheAck() {
    WriteQuorum quorum = new WriteQuorum(TARGETS, 1);
    quorum.ack("n1");
    quorum.fail("n1");
    assertTrue(quorum.isMet());
    assertEquals(1, quorum.acks());
  }

  @Test
  void ack_fromNodeOutsideTheTargets_isIgnored() {
    WriteQuorum quorum = new WriteQuorum(TARGETS, 1);
    quorum.ack("n9");
    assertFalse(quorum.isMet());
    quorum.fail("n9");
    assertFalse(quorum.isImpossible());
  }

  @Test
  void create_duplicateTargets_countOnce() {
    WriteQuorum quorum = new WriteQuorum(List.of("n1", "n1", "n2"), 2);
    quorum.fail("n2");
    assertTrue(quorum.isImpossible());
  }

  @Test
  void create_requiredOutsideOneToTargets_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> new WriteQuorum(TARGETS, 0));
    assertThrows(IllegalArgumentException.class, () -> new WriteQuorum(TARGETS, 4));
  }
}
