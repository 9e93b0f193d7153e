/**
 * Coordinators: one short-lived actor per client request (Riak's get/put FSMs), with the quorum
 * decisions in pure classes ({@link io.minidynamo.coordinator.WriteQuorum},
 * {@link io.minidynamo.coordinator.ReadQuorum}) unit-tested without actors.
 */
package io.minidynamo.coordinator;
