package io.minidynamo.handoff;

import io.minidynamo.CborSerializable;
import java.util.List;

/** The journal events of a node's hint store. */
public sealed interface HintEvent extends CborSerializable {
  /** A hint became durable. */
  record Stored(Hint hint) implements HintEvent {}

  /** {@code target} acknowledged (fsynced) the records of these hints. */
  record Delivered(String target, List<Long> ids) implements HintEvent {
    public Delivered {
      ids = List.copyOf(ids);
    }
  }
}
