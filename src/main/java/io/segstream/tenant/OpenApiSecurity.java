package io.segstream.tenant;

import io.segstream.platform.OpenApiProblems;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.List;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How the OpenAPI document ({@code /v3/api-docs}, Swagger UI) describes authentication: a bearer API key
 * or the dashboard's session cookie, either of which satisfies every {@code /v1} operation. The
 * {@link Caller} that controllers receive is filled by the security layer, never sent by a client, so it
 * is not a parameter of any operation.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiSecurity {

    static final String BEARER = "bearer";
    static final String SESSION = "session";
    static final String STREAM_TOKEN = "streamToken";

    @Bean
    OpenApiCustomizer securitySchemes() {
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
        return openApi -> {
            Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
            components.addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                    .description("An API key (`sgs_<keyId>_<secret>`) with the scopes the operation needs; the admin key for /v1/admin"));
            components.addSecuritySchemes(SESSION, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                    .in(SecurityScheme.In.COOKIE).name(SessionCookies.NAME)
                    .description("The session cookie of POST /v1/sessions; unsafe methods also need the X-XSRF-TOKEN header"));
            components.addSecuritySchemes(STREAM_TOKEN, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                    .in(SecurityScheme.In.QUERY).name("access_token")
                    .description("A stream token of POST /v1/stream-tokens: GET on the change streams only"));
            openApi.components(components);
            openApi.addSecurityItem(new SecurityRequirement().addList(BEARER));
            openApi.addSecurityItem(new SecurityRequirement().addList(SESSION));
            if (openApi.getPaths() != null) openApi.getPaths().forEach(OpenApiSecurity::secure);
            if (openApi.getInfo() == null || openApi.getInfo().getDescription() == null) {
                openApi.info(new Info().title("segstream").version("v1")
                        .description("Streaming segmentation: ingest contact activity, keep segments live, stream enters and exits."));
            }
        };
    }

    /**
     * Per operation: sign-in needs no credential; {@code /v1/admin} takes only the admin key (a tenant key
     * there is 401); the change streams also take a stream token; every other {@code /v1} operation takes
     * the document's default (bearer or session) and answers 403 to a credential without the scope or,
     * cookie-authenticated and unsafe, without the CSRF header.
     */
    private static void secure(String path, PathItem item) {
        if (!path.startsWith("/v1/")) return;
        item.readOperationsMap().forEach((method, operation) -> {
            if (path.equals("/v1/sessions") && method == PathItem.HttpMethod.POST) {
                operation.setSecurity(List.of());
                return;
            }
            ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
            operation.responses(responses);
            if (path.startsWith("/v1/admin/")) {
                operation.setSecurity(List.of(new SecurityRequirement().addList(BEARER)));
                responses.putIfAbsent("401", OpenApiProblems.problem("Missing or wrong admin key"));
                return;
            }
            if (isStream(path)) {
                operation.setSecurity(List.of(new SecurityRequirement().addList(BEARER), new SecurityRequirement().addList(SESSION),
                        new SecurityRequirement().addList(STREAM_TOKEN)));
            }
            responses.putIfAbsent("401", OpenApiProblems.problem(isStream(path)
                    ? "Missing, unknown, revoked or expired key, session or stream token"
                    : "Missing, unknown or revoked key, or an ended session"));
            responses.putIfAbsent("403", OpenApiProblems.problem(method == PathItem.HttpMethod.GET
                    ? "The credential lacks the operation's scope"
                    : "The credential lacks the operation's scope, or a cookie-authenticated request lacks X-XSRF-TOKEN"));
        });
    }

    private static boolean isStream(String path) {
        return path.equals("/v1/changes") || path.equals("/v1/segments/{id}/changes");
    }
}
