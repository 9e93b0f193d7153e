package io.minidynamo.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void portsAreDistinctAndFreeOnLoopback() throws IOException {
    List<Integer> ports = FreePorts.take(40);

    assertEquals(40, ports.size());
    assertEquals(40, new HashSet<>(ports).size(), "a port was handed out twice: " + ports);
    for (int port : ports) {
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertEquals(port, socket.getLocalPort());
      }
    }
  }
}
