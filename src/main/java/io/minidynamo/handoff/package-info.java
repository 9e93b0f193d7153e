/**
 * Hinted handoff: the durable hint store a fallback (or, with no fallback node, the coordinator)
 * keeps for a replica that missed a write, and its delivery once that replica answers again.
 */
package io.minidynamo.handoff;
