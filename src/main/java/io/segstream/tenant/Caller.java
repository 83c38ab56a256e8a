package io.segstream.tenant;

import io.segstream.platform.ProblemException;
import io.segstream.platform.Problems;
import java.time.ZoneId;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.HttpStatus;

/**
 * The authenticated caller of a {@code /v1} request: the tenant its key belongs to and the key's
 * scopes. The tenant is always this one, never one named in a path, query or body.
 *
 * @param streamSegments present for a caller authenticated by a stream token: the segments whose change
 *        streams it may read (an empty set is never used; a token for every segment has an empty Optional
 *        here and is still limited to the change streams by authentication)
 */
public record Caller(String tenantId, ZoneId timeZone, String keyId, Set<Scope> scopes,
        Optional<Set<String>> streamSegments) {

    public Caller {
        scopes = Set.copyOf(scopes);
        streamSegments = streamSegments == null ? Optional.empty() : streamSegments.map(Set::copyOf);
    }

    /** A caller with the key's own reach (bearer key or session). */
    public Caller(String tenantId, ZoneId timeZone, String keyId, Set<Scope> scopes) {
        this(tenantId, timeZone, keyId, scopes, Optional.empty());
    }

    /** Returns this caller, or throws 403 if the key lacks {@code scope}. */
    public Caller require(Scope scope) {
        if (!scopes.contains(scope)) {
            throw new ProblemException(HttpStatus.FORBIDDEN, Problems.FORBIDDEN, "Forbidden",
                    "This key lacks the '" + scope.wireName() + "' scope");
        }
        return this;
    }

    /** True unless this caller is limited to a list of segments that does not hold {@code segmentId}. */
    public boolean maySee(String segmentId) {
        return streamSegments.map(s -> s.contains(segmentId)).orElse(true);
    }

    /** This caller limited to reading the change streams of {@code segments} (null: every segment). */
    Caller limitedTo(Set<String> segments) {
        return new Caller(tenantId, timeZone, keyId, scopes, Optional.ofNullable(segments));
    }
}
