package io.minidynamo.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The node's command line: {@code --id n1 --config nodes.conf --data-dir data/n1 [--listen host:port]}
 * (also {@code --id=n1} form). {@code --listen} overrides the HTTP bind address from nodes.conf.
 */
public record CommandLine(String id, Path config, Path dataDir, Optional<HostPort> listen) {

  public static final String USAGE =
      "usage: mini-dynamo --id <node-id> --config <nodes.conf> --data-dir <dir> [--listen host:port]";

  public static CommandLine parse(String... args) {
    String id = null;
    String config = null;
    String dataDir = null;
    String listen = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new InvalidConfigException(arg + " needs a value; " + USAGE);
      }
      switch (name) {
        case "--id" -> id = value;
        case "--config" -> config = value;
        case "--data-dir", "--data_dir" -> dataDir = value;
        case "--listen" -> listen = value;
        default -> throw new InvalidConfigException("unknown option " + name + "; " + USAGE);
      }
    }
    if (id == null || id.isBlank()) {
      throw new InvalidConfigException("--id is required; " + USAGE);
    }
    return new CommandLine(
        id,
        Path.of(config == null ? "nodes.conf" : config),
        Path.of(dataDir == null ? "data/" + id : dataDir),
        Optional.ofNullable(listen).map(text -> HostPort.parse(text, "--listen")));
  }
}
