/**
 * Anti-entropy: the Merkle tree over a replica partition's entries and the pure logic of one exchange
 * (descent to the differing leaves, then what to push and pull), beside the actors that run exchanges
 * per peer and partition. The tree and exchange logic are pure and import nothing from Pekko.
 */
package io.minidynamo.antientropy;
