/**
 * Benchmark references run by {@code scripts/bench.sh} beside the cluster. Nothing here is part of
 * the store: no node code imports this package.
 */
package io.minidynamo.bench;
