package io.segstream.tenant;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/**
 * Browser sessions in PostgreSQL (table {@code sessions}), so every instance accepts every session. Only
 * the SHA-256 of a session id is stored. Every call is bounded by a timeout.
 */
@Repository
class SessionStore {

    /** A live session's row: whose key it stands for and until when. */
    record Row(String tenantId, String keyId, Instant expiresAt) {}

    private static final Duration TIMEOUT = TenantStore.TIMEOUT;

    private final DatabaseClient db;

    SessionStore(DatabaseClient db) {
        this.db = db;
    }

    Mono<Void> insert(String idHash, String tenantId, String keyId, Instant expiresAt) {
        return db.sql("""
                        INSERT INTO sessions (id_hash, tenant_id, key_id, expires_at)
                        VALUES (:hash, :tenant, :key, :expires)""")
                .bind("hash", idHash)
                .bind("tenant", tenantId)
                .bind("key", keyId)
                .bind("expires", OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC))
                .then()
                .timeout(TIMEOUT);
    }

    /** The session with this id hash unless it was ended; expiry is the caller's to check. */
    Mono<Row> find(String idHash) {
        return db.sql("SELECT tenant_id, key_id, expires_at FROM sessions WHERE id_hash = :hash AND ended_at IS NULL")
                .bind("hash", idHash)
                .map(row -> new Row(row.get("tenant_id", String.class), row.get("key_id", String.class),
                        row.get("expires_at", OffsetDateTime.class).toInstant()))
                .one()
                .timeout(TIMEOUT);
    }

    /** Ends the session with this id hash if it is one of the tenant's (nothing otherwise). */
    Mono<Void> end(String idHash, String tenantId) {
        return db.sql("UPDATE sessions SET ended_at = coalesce(ended_at, now()) WHERE id_hash = :hash AND tenant_id = :tenant")
                .bind("hash", idHash)
                .bind("tenant", tenantId)
                .then()
                .timeout(TIMEOUT);
    }

    /** Deletes sessions that expired before {@code cutoff}. */
    Mono<Long> deleteExpiredBefore(Instant cutoff) {
        return db.sql("DELETE FROM sessions WHERE expires_at < :cutoff")
                .bind("cutoff", OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC))
                .fetch()
                .rowsUpdated()
                .timeout(TIMEOUT);
    }
}
