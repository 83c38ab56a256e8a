package io.segstream.tenant;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * An authenticated request: its {@link Caller} (the principal) and how it proved it. Scopes are checked
 * by the controllers ({@link Caller#require}), so the only authority is {@link #TENANT}.
 */
final class CallerAuthentication extends AbstractAuthenticationToken {

    static final String TENANT = "TENANT";

    /** The credential that authenticated a request. */
    enum Kind { BEARER_KEY, SESSION, STREAM_TOKEN }

    private final Caller caller;
    private final Kind kind;

    CallerAuthentication(Caller caller, Kind kind) {
        super(List.of(new SimpleGrantedAuthority(TENANT)));
        this.caller = caller;
        this.kind = kind;
        setAuthenticated(true);
    }

    Kind kind() {
        return kind;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Caller getPrincipal() {
        return caller;
    }

    @Override
    public String getName() {
        return caller.tenantId() + "/" + caller.keyId();
    }

    @Override
    public String toString() {
        return "CallerAuthentication[" + getName() + ", " + kind + "]";
    }
}
