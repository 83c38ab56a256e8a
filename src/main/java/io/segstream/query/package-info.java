/** Answers for campaign senders: counts, snapshot member listings and set algebra over the Redis bitmaps. */
package io.segstream.query;
