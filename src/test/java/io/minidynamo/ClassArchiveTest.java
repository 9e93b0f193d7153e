package io.minidynamo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassArchiveTest {
  @TempDir Path dir;

  @Test
  void theArchiveLivesBesideTheJar() {
    assertEquals(dir.resolve("mini-dynamo.jsa"), ClassArchive.archiveOf(dir.resolve("mini-dynamo.jar")));
    assertEquals(dir.resolve("node.jsa"), ClassArchive.archiveOf(dir.resolve("node")));
  }

  @Test
  void noArchiveMeansNoOption() throws Exception {
    Path jar = Files.writeString(dir.resolve("mini-dynamo.jar"), "jar");
    assertEquals(List.of(), ClassArchive.jvmOptions(jar));
  }

  @Test
  void anArchiveAtLeastAsNewAsTheJarIsUsed() throws Exception {
    Path jar = jarWithArchive(0);
    assertEquals(List.of("-XX:SharedArchiveFile=" + dir.resolve("mini-dynamo.jsa")), ClassArchive.jvmOptions(jar));
  }

  @Test
  void anArchiveOlderThanTheJarIsIgnored() throws Exception {
    Path jar = jarWithArchive(-1); // the jar was rebuilt after it
    assertEquals(List.of(), ClassArchive.jvmOptions(jar));
  }

  /** A jar and its archive, the archive written {@code archiveSeconds} after the jar. */
  private Path jarWithArchive(int archiveSeconds) throws Exception {
    Path jar = Files.writeString(dir.resolve("mini-dynamo.jar"), "jar");
    Path archive = Files.writeString(dir.resolve("mini-dynamo.jsa"), "archive");
    Instant built = Instant.parse("2026-12-02T12:00:00Z");
    Files.setLastModifiedTime(jar, FileTime.from(built));
    Files.setLastModifiedTime(archive, FileTime.from(built.plusSeconds(archiveSeconds)));
    return jar;
  }
}
