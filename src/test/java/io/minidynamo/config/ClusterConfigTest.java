package io.minidynamo.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nodes.conf parsing and validation: each invalid cluster stops the node with one clear line. */
class ClusterConfigTest {

  private static final String DEFAULT_NODES = """
      { id = "n1", http = "127.0.0.1:9001", remote = "127.0.0.1:2551" }
      { id = "n2", http = "127.0.0.1:9002", remote = "127.0.0.1:2552" }
      { id = "n3", http = "127.0.0.1:9003", remote = "127.0.0.1:2553" }
      """;

  @Test
  void load_theRepositoryNodesConf_isTheDefaultThreeNodeCluster() {
    ClusterConfig config = ClusterConfig.load(Path.of("nodes.conf"));
    assertEquals(3, config.n());
    assertEquals(2, config.r());
    assertEquals(2, config.w());
    assertEquals(64, config.ringSize());
    assertEquals(List.of("n1", "n2", "n3"), config.nodeIds());
    NodeInfo n2 = config.requireNode("n2");
    assertEquals(new HostPort("127.0.0.1", 9002), n2.http());
    assertEquals(new HostPort("127.0.0.1", 2552), n2.remote());
    assertEquals(64, config.ring().size());
    assertEquals(3, config.ring().n());
  }

  @Test
  void load_tempFile_isParsed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("nodes.conf");
    Files.writeString(file, conf(1, 1, 1, 8, "{ id = \"solo\", http = \"h:1\", remote = \"h:2\" }"),
        StandardCharsets.UTF_8);
    ClusterConfig config = ClusterConfig.load(file);
    assertEquals(List.of("solo"), config.nodeIds());
    assertEquals(8, config.ringSize());
  }

  @Test
  void load_missingFile_namesTheFile(@TempDir Path dir) {
    Path missing = dir.resolve("nope.conf");
    assertInvalid(() -> ClusterConfig.load(missing), "nope.conf", "does not exist");
  }

  @Test
  void load_invalidHocon_namesTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.conf");
    Files.writeString(file, "mini-dynamo { n = 3 ", StandardCharsets.UTF_8);
    assertInvalid(() -> ClusterConfig.load(file), "broken.conf", "not valid HOCON");
  }

  @Test
  void parse_rOutsideOneToN_isInvalid() {
    assertInvalid(() -> parse(conf(3, 0, 2, 64, DEFAULT_NODES)), "r = 0", "1..n");
    assertInvalid(() -> parse(conf(3, 4, 2, 64, DEFAULT_NODES)), "r = 4", "1..n");
  }

  @Test
  void parse_wOutsideOneToN_isInvalid() {
    assertInvalid(() -> parse(conf(3, 2, 0, 64, DEFAULT_NODES)), "w = 0", "1..n");
    assertInvalid(() -> parse(conf(2, 2, 3, 64, DEFAULT_NODES)), "w = 3", "n = 2");
  }

  @Test
  void parse_nLargerThanNodeCount_isInvalid() {
    assertInvalid(() -> parse(conf(4, 2, 2, 64, DEFAULT_NODES)), "n = 4", "number of nodes");
  }

  @Test
  void parse_nZero_isInvalid() {
    assertInvalid(() -> parse(conf(0, 1, 1, 64, DEFAULT_NODES)), "n = 0");
  }

  @Test
  void parse_duplicateIds_isInvalid() {
    String nodes = """
        { id = "n1", http = "127.0.0.1:9001", remote = "127.0.0.1:2551" }
        { id = "n1", http = "127.0.0.1:9002", remote = "127.0.0.1:2552" }
        """;
    assertInvalid(() -> parse(conf(2, 1, 1, 64, nodes)), "duplicate node id 'n1'");
  }

  @Test
  void parse_duplicateHttpAddress_isInvalid() {
    String nodes = """
        { id = "n1", http = "127.0.0.1:9001", remote = "127.0.0.1:2551" }
        { id = "n2", http = "127.0.0.1:9001", remote = "127.0.0.1:2552" }
        """;
    assertInvalid(() -> parse(conf(2, 1, 1, 64, nodes)), "duplicate address 127.0.0.1:9001", "n2");
  }

  @Test
  void parse_remoteAddressEqualToAnotherNodesHttp_isInvalid() {
    String nodes = """
        { id = "n1", http = "127.0.0.1:9001", remote = "127.0.0.1:2551" }
        { id = "n2", http = "127.0.0.1:9002", remote = "127.0.0.1:9001" }
        """;
    assertInvalid(() -> parse(conf(2, 1, 1, 64, nodes)), "duplicate address 127.0.0.1:9001");
  }

  @Test
  void parse_ringSizeNotPowerOfTwo_isInvalid() {
    assertInvalid(() -> parse(conf(3, 2, 2, 48, DEFAULT_NODES)), "ring-size = 48", "power of two");
    assertInvalid(() -> parse(conf(3, 2, 2, 0, DEFAULT_NODES)), "ring-size = 0", "power of two");
  }

  @Test
  void parse_ringSizeBelowNodeCount_isInvalid() {
    assertInvalid(() -> parse(conf(3, 2, 2, 2, DEFAULT_NODES)), "ring-size = 2", "number of nodes");
  }

  @Test
  void parse_noNodes_isInvalid() {
    assertInvalid(() -> parse(conf(1, 1, 1, 64, "")), "nodes is empty");
  }

  @Test
  void parse_nodeWithoutId_isInvalid() {
    String nodes = "{ http = \"127.0.0.1:9001\", remote = \"127.0.0.1:2551\" }";
    assertInvalid(() -> parse(conf(1, 1, 1, 64, nodes)), "node #1 has no id");
  }

  @Test
  void parse_badAddress_isInvalid() {
    String nodes = "{ id = \"n1\", http = \"127.0.0.1\", remote = \"127.0.0.1:2551\" }";
    assertInvalid(() -> parse(conf(1, 1, 1, 64, nodes)), "node n1 http", "not host:port");
    String badPort = "{ id = \"n1\", http = \"127.0.0.1:99999\", remote = \"127.0.0.1:2551\" }";
    assertInvalid(() -> parse(conf(1, 1, 1, 64, badPort)), "outside 1..65535");
    String noRemote = "{ id = \"n1\", http = \"127.0.0.1:9001\" }";
    assertInvalid(() -> parse(conf(1, 1, 1, 64, noRemote)), "node n1 remote is missing");
  }

  @Test
  void parse_missingSetting_namesTheSource() {
    String text = "mini-dynamo { r = 1, w = 1, ring-size = 8, nodes = [" + DEFAULT_NODES + "] }";
    assertInvalid(() -> parse(text), "test.conf", "'n'");
  }

  @Test
  void parse_wrongType_namesTheSource() {
    String text = "mini-dynamo { n = three, r = 1, w = 1, ring-size = 8, nodes = [" + DEFAULT_NODES + "] }";
    assertInvalid(() -> parse(text), "test.conf");
  }

  @Test
  void parse_ipv6Addresses_areAccepted() {
    String nodes = "{ id = \"n1\", http = \"[::1]:9001\", remote = \"[::1]:2551\" }";
    ClusterConfig config = parse(conf(1, 1, 1, 8, nodes));
    assertEquals(new HostPort("::1", 9001), config.requireNode("n1").http());
    assertEquals("[::1]:9001", config.requireNode("n1").http().toString());
  }

  @Test
  void requireNode_unknownId_listsTheKnownOnes() {
    ClusterConfig config = parse(conf(3, 2, 2, 64, DEFAULT_NODES));
    assertInvalid(() -> config.requireNode("n9"), "unknown --id 'n9'", "[n1, n2, n3]");
  }

  @Test
  void create_nodesList_isImmutable() {
    ClusterConfig config = parse(conf(3, 2, 2, 64, DEFAULT_NODES));
    assertThrows(UnsupportedOperationException.class, () -> config.nodes().clear());
  }

  private static String conf(int n, int r, int w, int ringSize, String nodes) {
    return "mini-dynamo { n = " + n + ", r = " + r + ", w = " + w + ", ring-size = " + ringSize
        + ", nodes = [\n" + nodes + "\n] }";
  }

  private static ClusterConfig parse(String text) {
    return ClusterConfig.fromConfig(ConfigFactory.parseString(text), "test.conf");
  }

  private static void assertInvalid(Runnable action, String... messageParts) {
    InvalidConfigException e = assertThrows(InvalidConfigException.class, action::run);
    for (String part : messageParts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' missing in: " + e.getMessage());
    }
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }
}
