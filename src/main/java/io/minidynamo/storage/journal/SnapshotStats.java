package io.minidynamo.storage.journal;

/**
 * An immutable view of the snapshot store for a debug endpoint, counted since the store started.
 *
 * @param saved snapshots saved
 * @param lastSizeBytes file size of the most recently saved snapshot
 * @param totalBytes bytes written by all saves
 * @param loads load requests served
 * @param fallbacks unreadable or corrupt snapshot files skipped in favour of an older one
 */
public record SnapshotStats(
    long saved, long lastSizeBytes, long totalBytes, long loads, long fallbacks) {

  static final SnapshotStats NONE = new SnapshotStats(0, 0, 0, 0, 0);
}
