package io.minidynamo.storage.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Damage the journal must not repair silently: a bad record that is followed by valid data, so
 * cutting it would drop acknowledged writes. The message names the file and byte offset.
 */
public final class CorruptJournalException extends IOException {

  private final transient Path file;
  private final long offset;

  CorruptJournalException(Path file, long offset, String reason) {
    super("corrupt journal record in " + file + " at offset " + offset + ": " + reason);
    this.file = file;
    this.offset = offset;
  }

  public Path file() {
    return file;
  }

  public long offset() {
    return offset;
  }
}
