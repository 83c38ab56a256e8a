package io.segstream.tenant;

import io.segstream.platform.ProblemException;
import io.segstream.platform.Problems;
import java.time.ZoneId;
import java.util.Set;
import org.springframework.http.HttpStatus;

/**
 * The authenticated caller of a {@code /v1} request: the tenant its key belongs to and the key's
 * scopes. The tenant is always this one, never one named in a path, query or body.
 */
public record Caller(String tenantId, ZoneId timeZone, String keyId, Set<Scope> scopes) {

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    /** Returns this caller, or throws 403 if the key lacks {@code scope}. */
    public Caller require(Scope scope) {
        if (!scopes.contains(scope)) {
            throw new ProblemException(HttpStatus.FORBIDDEN, Problems.FORBIDDEN, "Forbidden",
                    "This key lacks the '" + scope.wireName() + "' scope");
        }
        return this;
    }
}
