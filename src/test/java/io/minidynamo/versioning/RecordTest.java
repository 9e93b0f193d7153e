package io.minidynamo.versioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Last-write-wins resolution and value equality of {@link Record}. */
class RecordTest {
  private static final Version V1 = new Version(100, "n1");
  private static final Version V2 = new Version(200, "n1");

  @Test
  void newer_nullCurrent_isIncoming() {
    Record incoming = put("k", "a", V1);
    assertSame(incoming, Record.newer(null, incoming));
  }

  @Test
  void newer_nullIncoming_isCurrent() {
    Record current = put("k", "a", V1);
    assertSame(current, Record.newer(current, null));
    assertNull(Record.newer(null, null));
  }

  @Test
  void newer_higherVersionWinsWhicheverSideItIsOn() {
    Record older = put("k", "old", V1);
    Record newer = put("k", "new", V2);
    assertSame(newer, Record.newer(older, newer));
    assertSame(newer, Record.newer(newer, older));
  }

  @Test
  void newer_sameVersion_keepsCurrent() {
    Record current = put("k", "a", V1);
    Record same = put("k", "a", V1);
    assertSame(current, Record.newer(current, same));
  }

  @Test
  void supersedes_nothingStored_isTrue() {
    assertTrue(put("k", "a", V1).supersedes(null));
    assertTrue(Record.tombstone("k", V1).supersedes(null));
  }

  @Test
  void supersedes_sameVersion_isFalse() {
    assertFalse(put("k", "a", V1).supersedes(put("k", "a", V1)));
  }

  @Test
  void supersedes_tieOnTimestamp_higherWriterWins() {
    Record fromN1 = put("k", "a", new Version(5, "n1"));
    Record fromN2 = put("k", "b", new Version(5, "n2"));
    assertTrue(fromN2.supersedes(fromN1));
    assertFalse(fromN1.supersedes(fromN2));
  }

  @Test
  void tombstone_newerThanPut_winsOverIt() {
    Record stored = put("k", "a", V1);
    Record delete = Record.tombstone("k", V2);
    assertTrue(delete.supersedes(stored));
    assertSame(delete, Record.newer(stored, delete));
  }

  @Test
  void tombstone_olderThanPut_loses() {
    Record stored = put("k", "a", V2);
    Record staleDelete = Record.tombstone("k", V1);
    assertFalse(staleDelete.supersedes(stored));
    assertSame(stored, Record.newer(stored, staleDelete));
  }

  @Test
  void put_newerThanTombstone_resurrectsTheKey() {
    Record deleted = Record.tombstone("k", V1);
    Record rewrite = put("k", "back", V2);
    assertSame(rewrite, Record.newer(deleted, rewrite));
  }

  @Test
  void tombstone_hasEmptyValueAndFlag() {
    Record tombstone = Record.tombstone("k", V1);
    assertTrue(tombstone.tombstone());
    assertEquals(0, tombstone.value().length);
  }

  @Test
  void create_nullValue_becomesEmpty() {
    Record record = new Record("k", null, V1, false);
    assertArrayEquals(new byte[0], record.value());
    assertEquals(put("k", "", V1), record);
  }

  @Test
  void create_nullKeyOrVersion_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> Record.put(null, new byte[0], V1));
    assertThrows(IllegalArgumentException.class, () -> Record.put("k", new byte[0], null));
  }

  @Test
  void equals_equalBytesInDistinctArrays_areEqualWithEqualHashCodes() {
    Record a = Record.put("k", new byte[] {1, 2, (byte) 0xff}, V1);
    Record b = Record.put("k", new byte[] {1, 2, (byte) 0xff}, V1);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
  }

  @Test
  void equals_differentBytes_areNotEqual() {
    assertNotEquals(Record.put("k", new byte[] {1, 2}, V1), Record.put("k", new byte[] {1, 3}, V1));
    assertNotEquals(Record.put("k", new byte[] {1, 2}, V1), Record.put("k", new byte[] {1, 2, 0}, V1));
  }

  @Test
  void equals_differentKeyVersionOrTombstoneFlag_areNotEqual() {
    Record base = put("k", "", V1);
    assertNotEquals(base, put("k2", "", V1));
    assertNotEquals(base, put("k", "", V2));
    assertNotEquals(base, Record.tombstone("k", V1));
  }

  private static Record put(String key, String value, Version version) {
    return Record.put(key, value.getBytes(StandardCharsets.UTF_8), version);
  }
}
