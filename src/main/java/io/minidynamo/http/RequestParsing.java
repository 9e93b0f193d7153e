package io.minidynamo.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Validation of what a client sends: the key in the raw request path, the {@code r}/{@code w}/
 * {@code timeout} parameters. Pure; every failure is an {@link ApiException} with status 400.
 */
final class RequestParsing {
  private RequestParsing() {}

  /**
   * The key of a {@code /kv/<key>} request from the raw (still percent-encoded) path: the rest of the
   * path after {@code /kv/}, percent-decoded, non-empty, valid UTF-8, at most {@code maxKeyBytes}.
   */
  static String key(String rawPath, int maxKeyBytes) {
    String prefix = "/kv/";
    if (!rawPath.startsWith(prefix)) {
      throw new ApiException(400, "key is missing: use /kv/<key>");
    }
    byte[] bytes = percentDecode(rawPath.substring(prefix.length()));
    if (bytes.length == 0) {
      throw new ApiException(400, "key is empty");
    }
    if (bytes.length > maxKeyBytes) {
      throw new ApiException(
          400, "key is " + bytes.length + " bytes, longer than the limit of " + maxKeyBytes);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ApiException(400, "key is not valid UTF-8");
    }
  }

  private static byte[] percentDecode(String encoded) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%') {
        if (i + 2 >= encoded.length()) {
          throw new ApiException(400, "key has an incomplete percent-escape");
        }
        int hi = hexDigit(encoded.charAt(i + 1));
        int lo = hexDigit(encoded.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          throw new ApiException(400, "key has an invalid percent-escape");
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c < 0x80) {
        out.write(c);
      } else {
        // A raw non-ASCII character: its UTF-8 bytes, taking a surrogate pair as one code point
        // (encoding each half alone would turn it into "??").
        int codePoint = encoded.codePointAt(i);
        if (Character.getType(codePoint) == Character.SURROGATE) {
          throw new ApiException(400, "key is not valid UTF-8 (a lone UTF-16 surrogate)");
        }
        byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        out.write(utf8, 0, utf8.length);
        i += Character.charCount(codePoint) - 1;
      }
    }
    return out.toByteArray();
  }

  /** An ASCII hex digit's value, or -1 ({@code Character.digit} also takes non-ASCII digits). */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  /** A quorum override ({@code r} or {@code w}): absent, or an integer in 1..n. */
  static Optional<Integer> quorum(Optional<String> value, String name, int n) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    int parsed = integer(value.get(), name);
    if (parsed < 1 || parsed > n) {
      throw new ApiException(400, name + " must be in 1.." + n + ", got " + parsed);
    }
    return Optional.of(parsed);
  }

  /** A {@code timeout} override in milliseconds: absent, or in 1..max. */
  static Optional<Duration> timeout(Optional<String> value, Duration max) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    long millis = integer(value.get(), "timeout");
    if (millis < 1 || millis > max.toMillis()) {
      throw new ApiException(400, "timeout must be in 1.." + max.toMillis() + " ms, got " + millis);
    }
    return Optional.of(Duration.ofMillis(millis));
  }

  private static int integer(String value, String name) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new ApiException(400, name + " must be an integer, got '" + value + "'");
    }
  }
}
