/** Membership: evaluation of segments for contacts, the change log, time-driven re-evaluation, the Redis bitmap projection. */
package io.segstream.membership;
