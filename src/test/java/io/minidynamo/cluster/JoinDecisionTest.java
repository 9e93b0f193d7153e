package io.minidynamo.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JoinDecisionTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");

  @Test
  void decide_peerIsMember_joinsThatCluster() {
    JoinDecision.Action action = JoinDecision.decide("n1", NODES, Map.of("n2", true, "n3", false), Set.of());
    assertEquals(new JoinDecision.Action.JoinExisting(List.of("n2")), action);
  }

  /** Regression guard for the island: a restarted first node that sees no peer must not form a cluster. */
  @Test
  void decide_noPeerAnswers_waitsInsteadOfFormingAnIsland() {
    assertInstanceOf(JoinDecision.Action.Wait.class, JoinDecision.decide("n1", NODES, Map.of(), Set.of()));
  }

  @Test
  void decide_majorityAnswersNoCluster_lowestIdForms() {
    assertInstanceOf(JoinDecision.Action.FormCluster.class,
        JoinDecision.decide("n1", NODES, Map.of("n2", false), Set.of()));
  }

  @Test
  void decide_majorityAnswersNoCluster_othersWaitForTheLowest() {
    assertInstanceOf(JoinDecision.Action.Wait.class,
        JoinDecision.decide("n2", NODES, Map.of("n1", false, "n3", false), Set.of()));
  }

  @Test
  void decide_lowestNodeDown_nextLowestAliveForms() {
    assertInstanceOf(JoinDecision.Action.FormCluster.class,
        JoinDecision.decide("n2", NODES, Map.of("n3", false), Set.of()));
  }

  @Test
  void decide_exactlyHalfOfEvenClusterAnswers_waits() {
    List<String> four = List.of("n1", "n2", "n3", "n4");
    assertInstanceOf(JoinDecision.Action.Wait.class,
        JoinDecision.decide("n1", four, Map.of("n2", false), Set.of()));
  }

  @Test
  void decide_singleNodeCluster_formsAlone() {
    assertInstanceOf(JoinDecision.Action.FormCluster.class,
        JoinDecision.decide("n1", List.of("n1"), Map.of(), Set.of()));
  }

  /**
   * Regression test for two clusters formed at once: n1 and n2 each saw a majority but not each
   * other as lowest. A probe is a round trip, so n2 has heard of n1 (n1 probed it, or n3 reports it).
   */
  @Test
  void decide_lowerNodeKnownAliveThroughAPeer_waits() {
    assertInstanceOf(JoinDecision.Action.Wait.class,
        JoinDecision.decide("n2", NODES, Map.of("n3", false), Set.of("n1")));
    assertInstanceOf(JoinDecision.Action.FormCluster.class,
        JoinDecision.decide("n1", NODES, Map.of("n2", false), Set.of("n3")));
  }

  @Test
  void decide_knownAliveButNotAnswering_doesNotMakeAMajority() {
    assertInstanceOf(JoinDecision.Action.Wait.class,
        JoinDecision.decide("n1", NODES, Map.of(), Set.of("n2", "n3")));
  }
}
