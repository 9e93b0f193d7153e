package io.minidynamo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Validation of client input: every bad key or parameter is a 400, never an exception of another kind. */
class RequestParsingTest {
  private static final int MAX = 1024;

  @Test
  void key_plain_isTheRestOfThePath() {
    assertEquals("user:42", RequestParsing.key("/kv/user:42", MAX));
  }

  @Test
  void key_percentEncodedSlash_isDecodedIntoTheKey() {
    assertEquals("a/b", RequestParsing.key("/kv/a%2Fb", MAX));
    assertEquals("a/b", RequestParsing.key("/kv/a%2fb", MAX));
  }

  @Test
  void key_rawSlash_staysPartOfTheKey() {
    assertEquals("a/b/c", RequestParsing.key("/kv/a/b/c", MAX));
  }

  @Test
  void key_percentEncodedSpaceAndPercent_areDecoded() {
    assertEquals("a b%", RequestParsing.key("/kv/a%20b%25", MAX));
  }

  @Test
  void key_plusSign_isNotASpace() {
    assertEquals("a+b", RequestParsing.key("/kv/a+b", MAX));
  }

  @Test
  void key_percentEncodedMultibyteUtf8_isDecoded() {
    assertEquals("café", RequestParsing.key("/kv/caf%C3%A9", MAX));
    assertEquals("€", RequestParsing.key("/kv/%E2%82%AC", MAX));
    assertEquals("😀", RequestParsing.key("/kv/%F0%9F%98%80", MAX));
  }

  @Test
  void key_rawNonAsciiCharacter_isTakenAsUtf8() {
    assertEquals("café", RequestParsing.key("/kv/café", MAX));
  }

  @Test
  void key_invalidUtf8_is400() {
    assertBadRequest("/kv/%ff", "UTF-8");
    assertBadRequest("/kv/%C3", "UTF-8"); // truncated two-byte sequence
    assertBadRequest("/kv/%C0%AF", "UTF-8"); // overlong encoding of '/'
    assertBadRequest("/kv/%ED%A0%80", "UTF-8"); // an encoded surrogate
  }

  @Test
  void key_empty_is400() {
    assertBadRequest("/kv/", "empty");
  }

  @Test
  void key_pathWithoutKvPrefix_is400() {
    assertBadRequest("/other/k", "missing");
    assertBadRequest("/kv", "missing");
  }

  @Test
  void key_incompleteEscape_is400() {
    assertBadRequest("/kv/%", "incomplete");
    assertBadRequest("/kv/abc%4", "incomplete");
    assertBadRequest("/kv/abc%", "incomplete");
  }

  @Test
  void key_invalidEscape_is400() {
    assertBadRequest("/kv/%zz", "invalid");
    assertBadRequest("/kv/%4g", "invalid");
    assertBadRequest("/kv/%g4", "invalid");
  }

  /**
   * Regression: escapes were read with {@code Character.digit}, which also takes non-ASCII digits
   * (Arabic-Indic, full-width), so "%٤١" decoded to "A" instead of being rejected.
   */
  @Test
  void key_escapeWithNonAsciiDigits_is400() {
    assertBadRequest("/kv/%\u0664\u0661", "invalid"); // ARABIC-INDIC DIGIT FOUR, ONE
    assertBadRequest("/kv/%\uFF14\uFF21", "invalid"); // FULLWIDTH DIGIT FOUR, LATIN CAPITAL A
  }

  /**
   * Regression: a raw character outside the BMP (two UTF-16 chars) was encoded one surrogate at a
   * time, each becoming '?', so "😀" was stored as "??".
   */
  @Test
  void key_rawSupplementaryCharacter_isTakenAsUtf8() {
    assertEquals("a😀b", RequestParsing.key("/kv/a😀b", MAX));
  }

  @Test
  void key_rawLoneSurrogate_is400() {
    assertBadRequest("/kv/a\uD83Db", "UTF");
  }

  @Test
  void key_exactlyMaxBytes_isAccepted() {
    String key = "k".repeat(MAX);
    assertEquals(key, RequestParsing.key("/kv/" + key, MAX));
  }

  @Test
  void key_exactlyMaxBytesPercentEncodedMultibyte_isAccepted() {
    // 512 x "é" is 1024 UTF-8 bytes but 3072 characters of path.
    String key = "é".repeat(MAX / 2);
    assertEquals(key, RequestParsing.key("/kv/" + "%C3%A9".repeat(MAX / 2), MAX));
  }

  @Test
  void key_overMaxBytes_is400() {
    assertBadRequest("/kv/" + "k".repeat(MAX + 1), "longer than the limit of 1024");
  }

  @Test
  void key_overMaxBytesOnlyOnceDecodedToUtf8_is400() {
    // 513 x "é": 513 characters, 1026 bytes.
    assertBadRequest("/kv/" + "é".repeat(MAX / 2 + 1), "longer than the limit");
  }

  @Test
  void quorum_absent_isEmpty() {
    assertEquals(Optional.empty(), RequestParsing.quorum(Optional.empty(), "r", 3));
  }

  @Test
  void quorum_withinOneToN_isParsed() {
    assertEquals(Optional.of(1), RequestParsing.quorum(Optional.of("1"), "r", 3));
    assertEquals(Optional.of(3), RequestParsing.quorum(Optional.of("3"), "w", 3));
  }

  @Test
  void quorum_outOfRange_is400NamingTheParameter() {
    ApiException zero =
        assertThrows(ApiException.class, () -> RequestParsing.quorum(Optional.of("0"), "r", 3));
    assertEquals(400, zero.status());
    assertTrue(zero.getMessage().contains("r must be in 1..3"), zero.getMessage());
    ApiException four =
        assertThrows(ApiException.class, () -> RequestParsing.quorum(Optional.of("4"), "w", 3));
    assertEquals(400, four.status());
    assertTrue(four.getMessage().contains("w must be in 1..3"), four.getMessage());
  }

  @Test
  void quorum_notAnInteger_is400() {
    for (String bad : new String[] {"", "two", "1.5", "0x2", "99999999999"}) {
      ApiException e = assertThrows(
          ApiException.class, () -> RequestParsing.quorum(Optional.of(bad), "r", 3), bad);
      assertEquals(400, e.status(), bad);
    }
  }

  @Test
  void timeout_absent_isEmpty() {
    assertEquals(Optional.empty(), RequestParsing.timeout(Optional.empty(), Duration.ofSeconds(30)));
  }

  @Test
  void timeout_withinOneToMax_isMilliseconds() {
    Duration max = Duration.ofSeconds(30);
    assertEquals(Optional.of(Duration.ofMillis(1)), RequestParsing.timeout(Optional.of("1"), max));
    assertEquals(
        Optional.of(Duration.ofMillis(30_000)), RequestParsing.timeout(Optional.of("30000"), max));
  }

  @Test
  void timeout_outOfRange_is400() {
    Duration max = Duration.ofSeconds(30);
    for (String bad : new String[] {"0", "-5", "30001"}) {
      ApiException e =
          assertThrows(ApiException.class, () -> RequestParsing.timeout(Optional.of(bad), max), bad);
      assertEquals(400, e.status(), bad);
      assertTrue(e.getMessage().contains("timeout must be in 1..30000 ms"), e.getMessage());
    }
  }

  @Test
  void timeout_notAnInteger_is400() {
    for (String bad : new String[] {"", "soon", "2s", "1e3", "3000000000"}) {
      ApiException e = assertThrows(
          ApiException.class,
          () -> RequestParsing.timeout(Optional.of(bad), Duration.ofSeconds(30)),
          bad);
      assertEquals(400, e.status(), bad);
    }
  }

  private static void assertBadRequest(String rawPath, String messagePart) {
    ApiException e = assertThrows(ApiException.class, () -> RequestParsing.key(rawPath, MAX), rawPath);
    assertEquals(400, e.status(), rawPath);
    assertTrue(e.getMessage().contains(messagePart), rawPath + ": " + e.getMessage());
  }
}
