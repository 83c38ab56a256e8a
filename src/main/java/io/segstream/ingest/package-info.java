/** HTTP/NDJSON intake of activity events: streaming decode, validation, limits and the durable batch write. */
package io.segstream.ingest;
