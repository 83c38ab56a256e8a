package io.segstream.ingest;

import org.springframework.test.context.TestPropertySource;

/**
 * Every bad-input check of {@link BadInputIT} again with HTTP/2 enabled on the port (h2c beside HTTP/1.1), whose
 * connections start with a different pipeline: the errors Netty answers itself still carry problem+json.
 */
@TestPropertySource(properties = "server.http2.enabled=true")
class BadInputOverH2cPortIT extends BadInputIT {}
