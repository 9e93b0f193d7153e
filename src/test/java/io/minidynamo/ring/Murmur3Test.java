package io.minidynamo.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Known-answer tests of {@link Murmur3#hash64}, the first 64 bits (h1) of MurmurHash3_x64_128.
 *
 * <p>Where the expected values come from: the seeded "hell"/"hello"/.../"lazy dog" vectors are the
 * published ones of Guava's {@code Murmur3Hash128Test} (shared by Elasticsearch and Spark); every
 * other value was computed with the independent C reference in {@code src/test/c/}, which reproduces
 * those published vectors first. The prefix tables cover every tail length (0..15) with zero, one and
 * two full 16-byte blocks, once with ASCII bytes and once with bytes at or above 0x80, which catch a
 * missing {@code & 0xff} (sign extension) in any tail position.
 */
class Murmur3Test {

  private static final byte[] ALPHABET =
      "abcdefghijklmnopqrstuvwxyz012345".getBytes(StandardCharsets.US_ASCII);

  /** h1 of the first {@code i + 1} bytes of {@link #ALPHABET}, seed 0 (C reference). */
  private static final long[] ALPHABET_PREFIXES = {
      0x85555565f6597889L,
      0x938b11ea16ed1b2eL,
      0xb4963f3f3fad7867L,
      0xb87bb7d64656cd4fL,
      0x2036d091f496bbb8L,
      0xe47d86bfaca3bf55L,
      0xa6cd2f9fc09ee499L,
      0xcc8a0ab037ef8c02L,
      0x0547c0cff13c7964L,
      0xb6c15b0d772f8c99L,
      0xa895d0b8df789d02L,
      0x8ef39bb1e67ae194L,
      0x1648288da7c0fa73L,
      0x91d094a7f5c375e0L,
      0x8abe2451890c2ffbL,
      0xc4ca3ca3224cb723L,
      0x7564747f88bda657L,
      0x77f08cec907f8a50L,
      0x1590bc23de9e6d88L,
      0x310b3726f937e2f1L,
      0xc9d568e279ffc93cL,
      0x9588e330f4abf856L,
      0x40480aba9d4f238eL,
      0x6494960fd4de2cf7L,
      0x71e7cba42f07960fL,
      0x749c9d7e516f4aa9L,
      0x7e2ddc8410dde045L,
      0x8c064e06c8bb7f61L,
      0x31efcff15e52947eL,
      0x41681900ec9b3341L,
      0x4bf06228635658a8L,
      0x16a127b539e20ae3L,
  };

  /** h1 of the first {@code i + 1} bytes of {@link #highBytes()}, seed 0 (C reference). */
  private static final long[] HIGH_BYTE_PREFIXES = {
      0x61619a676395018aL,
      0x72dd7bb68553852aL,
      0x60ce28c4560b89ddL,
      0x858bf7136d53743eL,
      0x7c429805e0214247L,
      0x3f9c444d8e030accL,
      0x71693848f8a02a80L,
      0xa82dff4d33d32bdeL,
      0x8aa864d47c0a8b74L,
      0x862d6d7c6473b35eL,
      0x59afde60c3d32bd6L,
      0x3e4335060bc02ee9L,
      0xad6f3b53b125cb4cL,
      0x959cd9c0db7d1d00L,
      0x7ae1310c9e77072cL,
      0x5d7321715e6472ecL,
      0xba45bed3b1344284L,
      0xf7e1bfded906d1f9L,
      0x312c1d1398f60164L,
      0x76e69203e926a502L,
      0x86b320baf1092ba2L,
      0xa8075bcc144ae643L,
      0xc6076ded243fcb90L,
      0xbc3a9a76fbfda796L,
      0xdc83d6dbe317fd1dL,
      0x7b45c8c28d386555L,
      0x879de314ff131a2eL,
      0x481b1bcdcccb96d3L,
      0x16b7bdd6b876945dL,
      0x30d22463b2644e79L,
      0xd44463e13c895029L,
  };

  @Test
  void hash64_emptyInputSeedZero_isZero() {
    assertEquals(0L, Murmur3.hash64(new byte[0], 0));
  }

  @Test
  void hash64_emptyInputSeedOne_matchesReference() {
    assertEquals(0x4610abe56eff5cb5L, Murmur3.hash64(new byte[0], 1));
  }

  @Test
  void hash64_hello_matchesReference() {
    assertEquals(0xcbd8a7b341bd9b02L, hash("hello", 0));
  }

  @Test
  void hash64_publishedVectors_match() {
    assertEquals(0x629942693e10f867L, hash("hell", 0));
    assertEquals(0xa78ddff5adae8d10L, hash("hello", 1));
    assertEquals(0x8a486b23f422e826L, hash("hello ", 2));
    assertEquals(0x2ea59f466f6bed8cL, hash("hello w", 3));
    assertEquals(0x79f6305a386c572cL, hash("hello wo", 4));
    assertEquals(0xc2219d213ec1f1b5L, hash("hello wor", 5));
    assertEquals(0xe34bbc7bbc071b6cL, hash("The quick brown fox jumps over the lazy dog", 0));
    assertEquals(0x658ca970ff85269aL, hash("The quick brown fox jumps over the lazy cog", 0));
  }

  @Test
  void hash64_fifteenBytes_matchesReference() {
    assertEquals(0x8abe2451890c2ffbL, hash("abcdefghijklmno", 0));
  }

  @Test
  void hash64_sixteenAndMoreBytes_matchesReference() {
    assertEquals(0xc4ca3ca3224cb723L, hash("abcdefghijklmnop", 0));
    assertEquals(0x7564747f88bda657L, hash("abcdefghijklmnopq", 0));
    assertEquals(0x16a127b539e20ae3L, hash("abcdefghijklmnopqrstuvwxyz012345", 0));
  }

  @Test
  void hash64_everyTailLengthWithZeroOneAndTwoBlocks_matchesReference() {
    for (int length = 1; length <= ALPHABET.length; length++) {
      byte[] prefix = java.util.Arrays.copyOf(ALPHABET, length);
      assertEquals(ALPHABET_PREFIXES[length - 1], Murmur3.hash64(prefix, 0), "length " + length);
    }
  }

  @Test
  void hash64_bytesAbove0x7fInEveryPosition_matchReference() {
    byte[] high = highBytes();
    for (int length = 1; length <= high.length; length++) {
      byte[] prefix = java.util.Arrays.copyOf(high, length);
      assertEquals(HIGH_BYTE_PREFIXES[length - 1], Murmur3.hash64(prefix, 0), "length " + length);
    }
  }

  @Test
  void hash64_seedWithHighBitSet_isTreatedAsUnsigned() {
    assertEquals(0x347bad75d7575e14L, hash("hello", -1));
  }

  /** 0x80, 0x84, ... 0xf8: every byte has its sign bit set, as in the C reference. */
  private static byte[] highBytes() {
    byte[] bytes = new byte[31];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (0x80 + i * 4);
    }
    return bytes;
  }

  private static long hash(String text, int seed) {
    return Murmur3.hash64(text.getBytes(StandardCharsets.UTF_8), seed);
  }
}
