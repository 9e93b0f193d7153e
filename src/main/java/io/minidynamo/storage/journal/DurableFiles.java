package io.minidynamo.storage.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * File-system helpers that make writes durable: forcing file contents, forcing directory entries
 * and replacing a file atomically. Shared by the journal (new segments) and the snapshot store.
 *
 * <p>Invariant: with {@link Durability#FSYNC}, once a method returns normally its effect survives
 * a power loss; with {@link Durability#NONE} the same calls only reach the page cache.
 */
final class DurableFiles {

  private DurableFiles() {}

  /**
   * Forces a directory so that created, renamed or deleted entries are durable. Some platforms
   * (Windows, some network file systems) refuse to open or force a directory: there is nothing
   * more we can do there, so that refusal is ignored.
   */
  static void forceDirectory(Path dir, Durability durability) {
    if (durability == Durability.NONE) {
      return;
    }
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException refusedByPlatform) {
      // best effort by design, see Javadoc
    }
  }

  /**
   * Replaces {@code target} with {@code content}: write a temp file in the same directory, force
   * it, rename it over the target atomically, force the directory. A crash leaves either the old
   * file or the new one, never a mix; a leftover temp file is harmless.
   */
  static void writeAtomically(Path target, ByteBuffer content, Durability durability)
      throws IOException {
    Path dir = target.getParent();
    Path temp = dir.resolve(target.getFileName() + ".tmp");
    try (FileChannel channel =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      writeFully(channel, content);
      if (durability == Durability.FSYNC) {
        channel.force(true);
      }
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(dir, durability);
  }

  static void writeFully(FileChannel channel, ByteBuffer... buffers) throws IOException {
    long remaining = 0;
    for (ByteBuffer b : buffers) {
      remaining += b.remaining();
    }
    while (remaining > 0) {
      remaining -= channel.write(buffers);
    }
  }
}
