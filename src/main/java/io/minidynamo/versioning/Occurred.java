package io.minidynamo.versioning;

/** How one version relates to another. Last-write-wins versions are totally ordered. */
public enum Occurred {
  BEFORE,
  AFTER,
  SAME
}
