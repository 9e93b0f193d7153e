/** Addressing peers by fixed paths, and (later) membership and reachability hints from Pekko Cluster. */
package io.minidynamo.cluster;
