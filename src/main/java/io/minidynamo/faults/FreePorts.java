package io.minidynamo.faults;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback ports free at the time of asking, for clusters of real processes. All of them are held
 * open until every one is chosen: ports picked one bind-and-close at a time can repeat (the kernel
 * may hand the port just closed to the next bind), and two nodes then get the same address.
 */
public final class FreePorts {
  private FreePorts() {}

  /** {@code count} distinct ports on 127.0.0.1, each free when this returns. */
  public static List<Integer> take(int count) throws IOException {
    List<ServerSocket> held = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return held.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
  }
}
