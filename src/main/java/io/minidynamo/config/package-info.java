/** Settings read once at start: the cluster (nodes.conf) and node tuning (application.conf). */
package io.minidynamo.config;
