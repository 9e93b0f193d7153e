/** The consistent-hashing ring (pure, no Pekko): partitions, ownership, preference lists. */
package io.minidynamo.ring;
