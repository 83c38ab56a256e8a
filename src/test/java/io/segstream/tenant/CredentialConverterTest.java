package io.segstream.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

class CredentialConverterTest {

    private static final HttpCookie SESSION = new HttpCookie(SessionCookies.NAME, "session-id");

    @Test
    void aBearerKeyComesFirstAndIsTheAdminKeyOnAdminPaths() {
        assertThat(CredentialConverter.credential(MockServerHttpRequest.get("/v1/changes?access_token=t")
                .header(HttpHeaders.AUTHORIZATION, "Bearer k").cookie(SESSION).build()))
                .isEqualTo(new Credential.BearerKey("k"));
        assertThat(CredentialConverter.credential(MockServerHttpRequest.post("/v1/admin/tenants")
                .header(HttpHeaders.AUTHORIZATION, "bearer  k ").build()))
                .isEqualTo(new Credential.AdminKey("k"));
        assertThat(CredentialConverter.credential(MockServerHttpRequest.get("/v1/admin/tenants/x").cookie(SESSION).build()))
                .as("admin paths take the admin key only").isNull();
    }

    @Test
    void anAccessTokenCountsOnlyOnAGetOfAChangeStream() {
        assertThat(CredentialConverter.credential(MockServerHttpRequest.get("/v1/changes?access_token=t").build()))
                .isEqualTo(new Credential.StreamToken("t"));
        assertThat(CredentialConverter.credential(MockServerHttpRequest.get("/v1/segments/vip/changes?access_token=t")
                .cookie(SESSION).build()))
                .isEqualTo(new Credential.StreamToken("t"));
        for (var request : new MockServerHttpRequest[] {
                MockServerHttpRequest.get("/v1/segments?access_token=t").build(),
                MockServerHttpRequest.get("/v1/segments/vip/count?access_token=t").build(),
                MockServerHttpRequest.get("/v1/segments/a/b/changes?access_token=t").build(),
                MockServerHttpRequest.post("/v1/changes?access_token=t").build()}) {
            assertThat(CredentialConverter.credential(request)).as(request.getURI().toString()).isNull();
        }
    }

    @Test
    void otherwiseTheSessionCookie() {
        assertThat(CredentialConverter.credential(MockServerHttpRequest.get("/v1/segments").cookie(SESSION).build()))
                .isEqualTo(new Credential.SessionCookie("session-id"));
        assertThat(CredentialConverter.credential(MockServerHttpRequest.get("/v1/segments")
                .header(HttpHeaders.AUTHORIZATION, "Basic abc").build())).isNull();
    }

    @Test
    void secretsStayOutOfToString() {
        assertThat(new Credential.StreamToken("secret-token").toString()).doesNotContain("secret-token");
        assertThat(new PresentedCredential(new Credential.BearerKey("secret-key")).toString()).doesNotContain("secret-key");
        assertThat(new Credential.SessionCookie("secret-id").toString()).doesNotContain("secret-id");
    }
}
