package io.minidynamo.storage.journal;

import java.util.Locale;

/** Whether the plugins force data to stable storage before acknowledging it. */
enum Durability {
  /** Force file contents (and directory entries) before a write is acknowledged. */
  FSYNC,
  /** Never force: acknowledged data sits in the page cache and is lost on power failure. */
  NONE;

  static Durability parse(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "fsync" -> FSYNC;
      case "none" -> NONE;
      default -> throw new IllegalArgumentException(
          "durability must be 'fsync' or 'none', was '" + value + "'");
    };
  }
}
