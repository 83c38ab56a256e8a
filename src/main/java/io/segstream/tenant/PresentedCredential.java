package io.segstream.tenant;

import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;

/** A request's credential on its way to {@link CredentialAuthenticationManager}: not yet authenticated. */
final class PresentedCredential extends AbstractAuthenticationToken {

    private final Credential credential;

    PresentedCredential(Credential credential) {
        super(List.of());
        this.credential = credential;
        setAuthenticated(false);
    }

    Credential credential() {
        return credential;
    }

    @Override
    public Object getCredentials() {
        return credential;
    }

    @Override
    public Object getPrincipal() {
        return "";
    }

    @Override
    public String toString() {
        return "PresentedCredential[" + credential + "]";
    }
}
