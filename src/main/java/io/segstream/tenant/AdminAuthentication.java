package io.segstream.tenant;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A request authenticated with the configured admin key: it may manage tenants and keys. */
final class AdminAuthentication extends AbstractAuthenticationToken {

    static final String ADMIN = "ADMIN";

    AdminAuthentication() {
        super(List.of(new SimpleGrantedAuthority(ADMIN)));
        setAuthenticated(true);
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return "admin";
    }
}
