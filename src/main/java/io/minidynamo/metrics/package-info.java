/** Prometheus metrics of a node (Micrometer), exposed at {@code GET /metrics}. */
package io.minidynamo.metrics;
