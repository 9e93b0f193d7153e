package io.minidynamo.storage.journal;

import org.apache.pekko.serialization.JSerializer;

/** A serializer bound to {@link ExplodingEvent} in tests that always fails, to test rejection. */
public final class ExplodingSerializer extends JSerializer {

  /** An event whose serializer throws. */
  public record ExplodingEvent(String value) {}

  @Override
  public int identifier() {
    return 771_001;
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public byte[] toBinary(Object o) {
    throw new IllegalStateException("boom: cannot serialize " + o);
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    throw new IllegalStateException("never written");
  }
}
