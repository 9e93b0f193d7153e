/**
 * The fault-injection suite: a runner that drives real node processes through kills, pauses,
 * network partitions and clock skew while clients record every request ({@link
 * io.minidynamo.faults.History}), and a checker that proves from that history that nothing
 * acknowledged was lost.
 */
package io.minidynamo.faults;
