/**
 * Versions and conflict resolution (pure, no Pekko): hybrid-logical-clock timestamps, last-write-wins
 * records and tombstones.
 */
package io.minidynamo.versioning;
