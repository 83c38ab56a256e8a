/** Configuration, embedded PostgreSQL/Redis, error handling (problem+json) and observability. */
package io.segstream.platform;
