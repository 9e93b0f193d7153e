package io.minidynamo.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandLineTest {

  @Test
  void parse_separateValues_areRead() {
    CommandLine line = CommandLine.parse(
        "--id", "n1", "--config", "conf/nodes.conf", "--data-dir", "/var/md", "--listen", "0.0.0.0:9001");
    assertEquals("n1", line.id());
    assertEquals(Path.of("conf/nodes.conf"), line.config());
    assertEquals(Path.of("/var/md"), line.dataDir());
    assertEquals(Optional.of(new HostPort("0.0.0.0", 9001)), line.listen());
  }

  @Test
  void parse_equalsForm_isRead() {
    CommandLine line = CommandLine.parse(
        "--id=n1", "--config=c.conf", "--data-dir=d", "--listen=0.0.0.0:9001");
    assertEquals("n1", line.id());
    assertEquals(Path.of("c.conf"), line.config());
    assertEquals(Path.of("d"), line.dataDir());
    assertEquals(Optional.of(new HostPort("0.0.0.0", 9001)), line.listen());
  }

  @Test
  void parse_mixedForms_areRead() {
    CommandLine line = CommandLine.parse("--id=n2", "--data-dir", "x");
    assertEquals("n2", line.id());
    assertEquals(Path.of("x"), line.dataDir());
  }

  @Test
  void parse_valueContainingEquals_keepsTheRestOfTheArgument() {
    assertEquals(Path.of("a=b.conf"), CommandLine.parse("--id", "n1", "--config=a=b.conf").config());
  }

  @Test
  void parse_onlyId_usesTheDefaults() {
    CommandLine line = CommandLine.parse("--id", "n3");
    assertEquals(Path.of("nodes.conf"), line.config());
    assertEquals(Path.of("data/n3"), line.dataDir());
    assertEquals(Optional.empty(), line.listen());
  }

  @Test
  void parse_underscoreDataDir_isAnAlias() {
    assertEquals(Path.of("d"), CommandLine.parse("--id", "n1", "--data_dir", "d").dataDir());
  }

  @Test
  void parse_unknownOption_isInvalidWithUsage() {
    assertInvalid("unknown option --port", "--id", "n1", "--port", "9001");
    assertInvalid("unknown option --nope", "--nope=1", "--id", "n1");
  }

  @Test
  void parse_missingValue_isInvalid() {
    assertInvalid("--id needs a value", "--id");
    assertInvalid("--config needs a value", "--id", "n1", "--config");
  }

  @Test
  void parse_missingOrEmptyId_isInvalid() {
    assertInvalid("--id is required");
    assertInvalid("--id is required", "--config", "nodes.conf");
    assertInvalid("--id is required", "--id=");
  }

  @Test
  void parse_badListenAddress_isInvalid() {
    assertInvalid("--listen", "--id", "n1", "--listen", "nowhere");
  }

  private static void assertInvalid(String messagePart, String... args) {
    InvalidConfigException e =
        assertThrows(InvalidConfigException.class, () -> CommandLine.parse(args));
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    if (!messagePart.startsWith("--listen")) {
      assertTrue(e.getMessage().contains("usage:"), e.getMessage());
    }
  }
}
