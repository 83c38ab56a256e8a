/** Contact profiles: folding events into attributes, tags, audiences and consent, and their PostgreSQL store. */
package io.segstream.contact;
