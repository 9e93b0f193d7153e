package io.minidynamo.versioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VersionTest {

  @Test
  void compare_lowerTimestamp_isBefore() {
    assertEquals(Occurred.BEFORE, new Version(1, "n9").compare(new Version(2, "n1")));
  }

  @Test
  void compare_higherTimestamp_isAfter() {
    assertEquals(Occurred.AFTER, new Version(2, "n1").compare(new Version(1, "n9")));
  }

  @Test
  void compare_sameTimestampAndWriter_isSame() {
    assertEquals(Occurred.SAME, new Version(7, "n1").compare(new Version(7, "n1")));
  }

  @Test
  void compare_sameTimestamp_writerBreaksTheTie() {
    Version n1 = new Version(7, "n1");
    Version n2 = new Version(7, "n2");
    assertEquals(Occurred.BEFORE, n1.compare(n2));
    assertEquals(Occurred.AFTER, n2.compare(n1));
  }

  @Test
  void compare_negativeAndExtremeTimestamps_orderNumerically() {
    assertEquals(Occurred.BEFORE, new Version(-1, "n1").compare(new Version(0, "n1")));
    assertEquals(Occurred.AFTER, new Version(Long.MAX_VALUE, "a").compare(new Version(Long.MIN_VALUE, "z")));
  }

  @Test
  void isAfter_onlyForStrictlyNewer() {
    Version older = new Version(1, "n1");
    Version newer = new Version(2, "n1");
    assertTrue(newer.isAfter(older));
    assertFalse(older.isAfter(newer));
    assertFalse(older.isAfter(new Version(1, "n1")));
  }

  @Test
  void compare_isAntisymmetricOverASample() {
    Version[] versions = {
        new Version(1, "n1"), new Version(1, "n2"), new Version(2, "n1"), new Version(2, "n3"),
        new Version(3, "n2"),
    };
    for (Version a : versions) {
      for (Version b : versions) {
        Occurred ab = a.compare(b);
        Occurred ba = b.compare(a);
        Occurred expected = ab == Occurred.BEFORE ? Occurred.AFTER
            : ab == Occurred.AFTER ? Occurred.BEFORE : Occurred.SAME;
        assertEquals(expected, ba, a + " vs " + b);
        assertEquals(a.equals(b), ab == Occurred.SAME, a + " vs " + b);
      }
    }
  }

  @Test
  void create_nullWriter_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> new Version(1, null));
  }
}
