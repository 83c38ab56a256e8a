package io.segstream.platform;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * segstream's own configuration ({@code segstream.*}); see the README's configuration table.
 *
 * @param dataDir folder for the embedded servers' data (embedded mode only)
 * @param adminKey the admin key; admin endpoints answer 401 to everyone while it is empty
 * @param devKey the fixed value of the {@code demo} tenant's key in embedded mode, or empty for a random one
 */
@ConfigurationProperties("segstream")
public record SegstreamProperties(
        @DefaultValue("./data") Path dataDir,
        @DefaultValue("") String adminKey,
        @DefaultValue("") String devKey,
        @DefaultValue Ingest ingest) {

    /**
     * @param maxEvents events per request; more is 413
     * @param maxBytes body size per request; more is 413
     * @param maxEventBytes size of one event's JSON; more is 413 for the request
     * @param maxFutureSkew how far in the future an event's occurredAt may be before it is rejected
     * @param timeout how long one batch may take to commit before the request fails with 503
     * @param transactionsPerTenant ingest transactions of one tenant in flight per instance; requests
     *        arriving while all are busy are stored together in the next one (at least 1)
     * @param maxTagsPerTenant distinct tag names a tenant may use (each is a Redis bitmap); an event that
     *        would bring one more is rejected on its own (at least 0)
     * @param maxAudiencesPerTenant the same for audience names (at least 0)
     */
    public record Ingest(
            @DefaultValue("10000") int maxEvents,
            @DefaultValue("5MB") DataSize maxBytes,
            @DefaultValue("256KB") DataSize maxEventBytes,
            @DefaultValue("1h") Duration maxFutureSkew,
            @DefaultValue("30s") Duration timeout,
            @DefaultValue("2") int transactionsPerTenant,
            @DefaultValue("1000") int maxTagsPerTenant,
            @DefaultValue("1000") int maxAudiencesPerTenant) {

        public Ingest {
            if (maxTagsPerTenant < 0) {
                throw new IllegalArgumentException("segstream.ingest.max-tags-per-tenant must be at least 0, not " + maxTagsPerTenant);
            }
            if (maxAudiencesPerTenant < 0) {
                throw new IllegalArgumentException(
                        "segstream.ingest.max-audiences-per-tenant must be at least 0, not " + maxAudiencesPerTenant);
            }
        }
    }
}
