package io.minidynamo.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minidynamo.coordinator.SloppyQuorum.Handoff;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The pure put bookkeeping under a sloppy quorum: when W is met, when it can no longer be, which
 * fallback takes which primary's hint, and when every primary is accounted for.
 */
class SloppyQuorumTest {
  private static final List<String> PRIMARIES = List.of("n1", "n2", "n3");
  private static final List<String> FALLBACKS = List.of("n4", "n5");
  private static final List<String> NO_FALLBACKS = List.of();

  // --- cases carried over from the strict WriteQuorum ---

  @Test
  void isMet_wPrimaryAcks_isTrue() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 2);
    quorum.primaryAcked("n1");
    assertFalse(quorum.isMet());
    quorum.primaryAcked("n3");
    assertTrue(quorum.isMet());
    assertEquals(2, quorum.acks());
    assertEquals(2, quorum.required());
  }

  @Test
  void isMet_fewerThanWAcks_isFalseButStillPossible() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, NO_FALLBACKS, 3);
    quorum.primaryAcked("n1");
    quorum.primaryAcked("n2");
    assertFalse(quorum.isMet());
    assertFalse(quorum.isImpossible());
  }

  @Test
  void isImpossible_tooManyFailuresWithoutFallbacks_isTrue() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, NO_FALLBACKS, 2);
    quorum.primaryFailed("n1");
    assertFalse(quorum.isImpossible());
    quorum.primaryFailed("n2");
    assertTrue(quorum.isImpossible());
    assertFalse(quorum.isMet());
  }

  @Test
  void isImpossible_oneAckAndAllOthersFailedWithoutFallbacks_withWOfTwo_isTrue() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, NO_FALLBACKS, 2);
    quorum.primaryAcked("n1");
    quorum.primaryFailed("n2");
    assertFalse(quorum.isImpossible());
    quorum.primaryFailed("n3");
    assertTrue(quorum.isImpossible());
  }

  @Test
  void isImpossible_failuresHandedToFallbacks_isFalseWhileTheFallbacksMayAck() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 2);
    quorum.primaryFailed("n1");
    quorum.primaryFailed("n2");
    assertFalse(quorum.isImpossible());
    quorum.fallbackFailed("n4"); // n1's hint goes to the coordinator: no ack possible for it
    assertFalse(quorum.isImpossible());
    quorum.fallbackFailed("n5"); // n2's too: only n3 is left
    assertTrue(quorum.isImpossible());
  }

  @Test
  void primaryAcked_sameNodeTwice_countsOnce() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 2);
    quorum.primaryAcked("n1");
    quorum.primaryAcked("n1");
    assertEquals(1, quorum.acks());
    assertFalse(quorum.isMet());
  }

  @Test
  void primaryFailed_sameNodeTwice_handsOffOnce() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 2);
    assertEquals(Optional.of(new Handoff.ToFallback("n4", "n1")), quorum.primaryFailed("n1"));
    assertEquals(Optional.empty(), quorum.primaryFailed("n1"));
    // n5 is still unused: the next failure gets it
    assertEquals(Optional.of(new Handoff.ToFallback("n5", "n2")), quorum.primaryFailed("n2"));
  }

  @Test
  void primaryFailed_sameNodeTwiceWithoutFallbacks_countsOnce() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, NO_FALLBACKS, 2);
    quorum.primaryFailed("n1");
    quorum.primaryFailed("n1");
    assertFalse(quorum.isImpossible());
  }

  @Test
  void primaryAcked_afterFailureWithoutFallbacks_replacesTheFailure() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, NO_FALLBACKS, 3);
    quorum.primaryFailed("n1");
    assertTrue(quorum.isImpossible());
    quorum.primaryAcked("n1");
    assertFalse(quorum.isImpossible());
    quorum.primaryAcked("n2");
    quorum.primaryAcked("n3");
    assertTrue(quorum.isMet());
    assertEquals(3, quorum.acks());
  }

  @Test
  void primaryFailed_afterAck_keepsTheAckAndHandsNothingOff() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 1);
    quorum.primaryAcked("n1");
    assertEquals(Optional.empty(), quorum.primaryFailed("n1"));
    assertTrue(quorum.isMet());
    assertEquals(1, quorum.acks());
  }

  @Test
  void primaryAcked_nodeOutsideThePrimaries_isIgnored() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, NO_FALLBACKS, 1);
    quorum.primaryAcked("n9");
    assertFalse(quorum.isMet());
    assertEquals(Optional.empty(), quorum.primaryFailed("n9"));
    assertFalse(quorum.isImpossible());
  }

  @Test
  void create_duplicatePrimaries_countOnce() {
    SloppyQuorum quorum = new SloppyQuorum(List.of("n1", "n1", "n2"), NO_FALLBACKS, 2);
    quorum.primaryFailed("n2");
    assertTrue(quorum.isImpossible());
  }

  @Test
  void create_requiredOutsideOneToPrimaries_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> new SloppyQuorum(PRIMARIES, FALLBACKS, 0));
    assertThrows(IllegalArgumentException.class, () -> new SloppyQuorum(PRIMARIES, FALLBACKS, 4));
  }

  // --- sloppy quorum ---

  @Test
  void fallbackAcked_countsTowardW() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 2);
    quorum.primaryAcked("n1");
    quorum.primaryFailed("n2");
    assertFalse(quorum.isMet());
    quorum.fallbackAcked("n4");
    assertTrue(quorum.isMet());
    assertEquals(2, quorum.acks());
  }

  @Test
  void fallbackAcked_twice_countsOnce() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 3);
    quorum.primaryFailed("n2");
    quorum.fallbackAcked("n4");
    quorum.fallbackAcked("n4");
    assertEquals(1, quorum.acks());
  }

  @Test
  void fallbackAcked_nodeNotStandingIn_isIgnored() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 1);
    quorum.fallbackAcked("n4"); // never asked: no primary failed
    quorum.fallbackAcked("n1"); // a primary is no fallback
    assertEquals(0, quorum.acks());
    assertFalse(quorum.isMet());
  }

  @Test
  void keptLocally_doesNotCountTowardW() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, NO_FALLBACKS, 2);
    quorum.primaryAcked("n1");
    assertEquals(Optional.of(new Handoff.KeepLocally("n2")), quorum.primaryFailed("n2"));
    quorum.keptLocally("n2");
    assertFalse(quorum.isMet());
    assertEquals(1, quorum.acks());
  }

  @Test
  void primaryFailed_fallbacksUsedInOrderEachServingOnePrimary() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 1);
    assertEquals(Optional.of(new Handoff.ToFallback("n4", "n3")), quorum.primaryFailed("n3"));
    assertEquals(Optional.of(new Handoff.ToFallback("n5", "n1")), quorum.primaryFailed("n1"));
    assertEquals(Optional.of(new Handoff.KeepLocally("n2")), quorum.primaryFailed("n2"));
  }

  @Test
  void fallbackFailed_movesToTheNextFallbackThenToKeepLocally() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 1);
    assertEquals(Optional.of(new Handoff.ToFallback("n4", "n1")), quorum.primaryFailed("n1"));
    assertEquals(Optional.of(new Handoff.ToFallback("n5", "n1")), quorum.fallbackFailed("n4"));
    assertEquals(Optional.of(new Handoff.KeepLocally("n1")), quorum.fallbackFailed("n5"));
  }

  @Test
  void fallbackFailed_sameFallbackTwice_handsOffOnce() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 1);
    quorum.primaryFailed("n1");
    assertEquals(Optional.of(new Handoff.ToFallback("n5", "n1")), quorum.fallbackFailed("n4"));
    assertEquals(Optional.empty(), quorum.fallbackFailed("n4"));
  }

  @Test
  void fallbackFailed_afterItAcked_isIgnored() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 1);
    quorum.primaryFailed("n1");
    quorum.fallbackAcked("n4");
    assertEquals(Optional.empty(), quorum.fallbackFailed("n4"));
    assertEquals(1, quorum.acks());
  }

  @Test
  void isComplete_onlyWhenEveryPrimaryAckedOrHinted() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, List.of("n4"), 1);
    quorum.primaryAcked("n1");
    assertTrue(quorum.isMet());
    assertFalse(quorum.isComplete());
    quorum.primaryFailed("n2"); // to n4
    quorum.primaryFailed("n3"); // kept locally
    assertFalse(quorum.isComplete(), "handoffs still under way");
    quorum.fallbackAcked("n4");
    assertFalse(quorum.isComplete(), "n3's local hint not yet durable");
    quorum.keptLocally("n3");
    assertTrue(quorum.isComplete());
  }

  @Test
  void isComplete_allPrimariesAcked_isTrue() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 3);
    PRIMARIES.forEach(quorum::primaryAcked);
    assertTrue(quorum.isComplete());
  }

  @Test
  void keptLocally_withoutAHandoffToTheCoordinator_isIgnored() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 1);
    quorum.primaryAcked("n1");
    quorum.primaryAcked("n2");
    quorum.keptLocally("n3"); // n3 never failed
    assertFalse(quorum.isComplete());
    assertEquals(List.of("n3"), quorum.pendingPrimaries());
  }

  @Test
  void primaryAcked_lateAfterHandoff_countsAndSettlesThePrimary() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 2);
    quorum.primaryAcked("n1");
    quorum.primaryFailed("n2"); // timed out: handed to n4
    quorum.primaryAcked("n2"); // then answered after all
    assertTrue(quorum.isMet());
    assertEquals(2, quorum.acks());
    quorum.fallbackAcked("n4"); // n4 no longer stands in for a pending primary: not counted again
    assertEquals(2, quorum.acks());
    quorum.primaryAcked("n3");
    assertTrue(quorum.isComplete());
  }

  @Test
  void primaryAcked_lateWhileKeepingLocally_countsAndCompletes() {
    SloppyQuorum quorum = new SloppyQuorum(List.of("n1"), NO_FALLBACKS, 1);
    assertEquals(Optional.of(new Handoff.KeepLocally("n1")), quorum.primaryFailed("n1"));
    assertTrue(quorum.isImpossible());
    quorum.primaryAcked("n1");
    assertTrue(quorum.isMet());
    assertTrue(quorum.isComplete());
  }

  @Test
  void pendingPrimaries_listsOnlyPrimariesThatHaveNotAnswered() {
    SloppyQuorum quorum = new SloppyQuorum(PRIMARIES, FALLBACKS, 2);
    assertEquals(PRIMARIES, quorum.pendingPrimaries());
    quorum.primaryAcked("n1");
    quorum.primaryFailed("n3");
    assertEquals(List.of("n2"), quorum.pendingPrimaries());
  }
}
