package io.minidynamo.config;

/** One member of the cluster as listed in nodes.conf. */
public record NodeInfo(String id, HostPort http, HostPort remote) {}
