/**
 * Storage: the in-memory state of a replica partition and its snapshot form; the journal and snapshot
 * store plugins that make it durable live in {@code storage.journal}.
 */
package io.minidynamo.storage;
