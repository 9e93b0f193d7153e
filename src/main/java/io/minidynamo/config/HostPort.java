package io.minidynamo.config;

/** A {@code host:port} address as written in nodes.conf or on the command line. */
public record HostPort(String host, int port) {

  /** Parses {@code host:port} (an IPv6 host in brackets: {@code [::1]:9001}). */
  public static HostPort parse(String text, String what) {
    if (text == null || text.isBlank()) {
      throw new InvalidConfigException(what + " is missing (expected host:port)");
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new InvalidConfigException(what + " '" + text + "' is not host:port");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new InvalidConfigException(what + " '" + text + "' has a port that is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new InvalidConfigException(what + " '" + text + "' has a port outside 1..65535");
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
