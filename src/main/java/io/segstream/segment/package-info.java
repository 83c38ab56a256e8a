/** Segment definitions and their lifecycle: versions, the per-tenant catalogue, builds (backfill). */
package io.segstream.segment;
