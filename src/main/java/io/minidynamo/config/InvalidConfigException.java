package io.minidynamo.config;

/** A configuration problem that stops the node at start; the message is the one line shown. */
public final class InvalidConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidConfigException(String message) {
    super(message);
  }
}
