/**
 * Replicas: per ring partition a batching front ({@code PartitionReplica}) and an event-sourced log
 * ({@code PartitionLog}) whose journal is the write-ahead log; {@link io.minidynamo.replica.ReplicaRouter}
 * is the node's entry point at {@code /user/replica}.
 */
package io.minidynamo.replica;
