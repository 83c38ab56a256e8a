package io.segstream.tenant;

import io.swagger.v3.oas.models.Components;
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

    @Bean
    OpenApiCustomizer securitySchemes() {
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
        return openApi -> {
            Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
            components.addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                    .description("An API key (sgs_<keyId>_<secret>) with the scopes the operation needs; the admin key for /v1/admin"));
            components.addSecuritySchemes(SESSION, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                    .in(SecurityScheme.In.COOKIE).name(SessionCookies.NAME)
                    .description("The session cookie of POST /v1/sessions; unsafe methods also need the X-XSRF-TOKEN header"));
            openApi.components(components);
            openApi.addSecurityItem(new SecurityRequirement().addList(BEARER));
            openApi.addSecurityItem(new SecurityRequirement().addList(SESSION));
            if (openApi.getInfo() == null || openApi.getInfo().getDescription() == null) {
                openApi.info(new Info().title("segstream").version("v1")
                        .description("Streaming segmentation: ingest contact activity, keep segments live, stream enters and exits."));
            }
        };
    }
}
