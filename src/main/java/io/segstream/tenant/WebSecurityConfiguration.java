package io.segstream.tenant;

import io.segstream.platform.ProblemException;
import io.segstream.platform.Problems;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.csrf.CookieServerCsrfTokenRepository;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.security.web.server.csrf.ServerCsrfTokenRequestAttributeHandler;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.cors.reactive.CorsWebFilter;
import org.springframework.web.cors.reactive.DefaultCorsProcessor;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import org.springframework.web.server.WebFilter;
import reactor.core.publisher.Mono;

/**
 * Who may call what (docs/security.md). Under {@code /v1} every request is authenticated before routing
 * ({@link CredentialConverter}, {@link CredentialAuthenticationManager}): the admin key on
 * {@code /v1/admin/**}, otherwise a tenant key, a session cookie or, on change streams, a stream token.
 * Sign-in ({@code POST /v1/sessions}), CORS preflights and everything outside {@code /v1} (the
 * dashboard, static files, Swagger UI, actuator) need no credential. Cookie-authenticated unsafe
 * requests need the CSRF token; every answer carries the security headers. Failures are problem+json
 * (401 {@code unauthorized}, 403 {@code forbidden}) rendered by the platform's problem handler.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class WebSecurityConfiguration {

    /**
     * Only this origin, for everything; no inline script or style anywhere (the dashboard builds its
     * elements with {@code createElement}, never with {@code style} attributes).
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
            + "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /**
     * The same policy for Swagger UI's pages, but for styles. Design note: Swagger UI (React) sets
     * {@code style} attributes on its elements, which {@code style-src 'self'} refuses (the browser drops
     * each such style and reports a violation, SwaggerUiIT); so its pages alone allow inline styles
     * (styles cannot run code). Scripts stay {@code 'self'} there too: Swagger UI's page has no inline
     * script. Its stylesheet draws icons from {@code data:} images, allowed everywhere.
     */
    static final String SWAGGER_UI_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY
            .replace("style-src 'self';", "style-src 'self' 'unsafe-inline';");

    static final String CSRF_HEADER = "X-XSRF-TOKEN";
    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE);

    @Bean
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, CredentialAuthenticationManager manager,
            CorsProperties cors) {
        AuthenticationWebFilter authentication = new AuthenticationWebFilter(manager);
        authentication.setServerAuthenticationConverter(new CredentialConverter());
        authentication.setRequiresAuthenticationMatcher(WebSecurityConfiguration::authenticated);
        authentication.setAuthenticationFailureHandler(
                (filterExchange, e) -> Mono.error(Authenticator.unauthorized(e.getMessage())));

        CookieServerCsrfTokenRepository csrfTokens = CookieServerCsrfTokenRepository.withHttpOnlyFalse();
        csrfTokens.setHeaderName(CSRF_HEADER);
        csrfTokens.setCookieCustomizer(cookie -> cookie.sameSite("Strict"));

        return http
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(c -> c.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .cors(ServerHttpSecurity.CorsSpec::disable)
                .addFilterAt(problemCors(corsSource(cors)), SecurityWebFiltersOrder.CORS)
                .csrf(c -> c.csrfTokenRepository(csrfTokens)
                        // The token as it is in the cookie, so that a page echoes the cookie's value.
                        .csrfTokenRequestHandler(new ServerCsrfTokenRequestAttributeHandler())
                        .requireCsrfProtectionMatcher(WebSecurityConfiguration::cookieAuthenticatedUnsafe)
                        .accessDeniedHandler((exchange, denied) -> Mono.error(forbidden(
                                "A cookie-authenticated " + exchange.getRequest().getMethod()
                                        + " needs the X-XSRF-TOKEN header echoing the XSRF-TOKEN cookie"))))
                .addFilterAfter(issueCsrfCookie(), SecurityWebFiltersOrder.CSRF)
                .addFilterAt(authentication, SecurityWebFiltersOrder.AUTHENTICATION)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((exchange, ex) -> Mono.error(Authenticator.unauthorized(
                                CredentialConverter.isAdminPath(exchange.getRequest())
                                        ? "This needs the admin key"
                                        : "Send 'Authorization: Bearer <key>' or sign in for a session cookie")))
                        .accessDeniedHandler((exchange, denied) -> Mono.error(forbidden("This credential may not do this"))))
                .headers(h -> h
                        .writer(WebSecurityConfiguration::contentSecurityPolicy)
                        .referrerPolicy(r -> r.policy(ReferrerPolicy.NO_REFERRER)))
                .authorizeExchange(a -> a
                        .matchers(WebSecurityConfiguration::preflight).permitAll()
                        .pathMatchers(HttpMethod.POST, "/v1/sessions").permitAll()
                        .pathMatchers("/v1/admin", "/v1/admin/**").hasAuthority(AdminAuthentication.ADMIN)
                        .pathMatchers("/v1", "/v1/**").hasAuthority(CallerAuthentication.TENANT)
                        .anyExchange().permitAll())
                .build();
    }

    /** The policy of {@link #CONTENT_SECURITY_POLICY}, relaxed for styles on Swagger UI's pages only. */
    private static Mono<Void> contentSecurityPolicy(org.springframework.web.server.ServerWebExchange exchange) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        boolean swaggerUi = path.startsWith("/swagger-ui"); // swagger-ui.html and swagger-ui/**
        exchange.getResponse().getHeaders().set("Content-Security-Policy",
                swaggerUi ? SWAGGER_UI_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY);
        return Mono.empty();
    }

    /** Requests a credential is looked for on: {@code /v1}, except sign-in and CORS preflights. */
    private static Mono<ServerWebExchangeMatcher.MatchResult> authenticated(
            org.springframework.web.server.ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        boolean match = isV1(request) && !CorsUtils.isPreFlightRequest(request) && !isSignIn(request);
        return match ? ServerWebExchangeMatcher.MatchResult.match() : ServerWebExchangeMatcher.MatchResult.notMatch();
    }

    /**
     * CORS preflights ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}): the
     * CORS filter answers them before authorization; this only states that they need no credential. Any
     * other {@code OPTIONS} under {@code /v1} is authenticated like every request.
     */
    private static Mono<ServerWebExchangeMatcher.MatchResult> preflight(
            org.springframework.web.server.ServerWebExchange exchange) {
        return CorsUtils.isPreFlightRequest(exchange.getRequest())
                ? ServerWebExchangeMatcher.MatchResult.match() : ServerWebExchangeMatcher.MatchResult.notMatch();
    }

    /**
     * Requests that must carry the CSRF token: not GET/HEAD/OPTIONS/TRACE, under {@code /v1}, sending the
     * session cookie and no bearer key (which a cross-site page cannot add), except sign-in itself.
     */
    private static Mono<ServerWebExchangeMatcher.MatchResult> cookieAuthenticatedUnsafe(
            org.springframework.web.server.ServerWebExchange exchange) {
        ServerHttpRequest request = exchange.getRequest();
        boolean match = !SAFE.contains(request.getMethod()) && isV1(request) && !isSignIn(request)
                && request.getCookies().getFirst(SessionCookies.NAME) != null
                && !CredentialConverter.hasBearer(request);
        return match ? ServerWebExchangeMatcher.MatchResult.match() : ServerWebExchangeMatcher.MatchResult.notMatch();
    }

    /**
     * Spring Security creates the CSRF token lazily; this asks for it on the requests a browser page makes
     * (the page itself and {@code /v1} calls authenticated by neither a bearer key nor a stream token), so that the {@code XSRF-TOKEN} cookie is
     * set when absent, e.g. on the sign-in answer.
     */
    private static WebFilter issueCsrfCookie() {
        return (exchange, chain) -> {
            ServerHttpRequest request = exchange.getRequest();
            String path = request.getPath().pathWithinApplication().value();
            boolean browserPage = path.equals("/") || path.equals("/index.html") || isV1(request);
            Mono<CsrfToken> token = exchange.getAttribute(CsrfToken.class.getName());
            if (!browserPage || token == null || CredentialConverter.hasBearer(request)
                    || CredentialConverter.credential(request) instanceof Credential.StreamToken) {
                return chain.filter(exchange);
            }
            return token.then(chain.filter(exchange));
        };
    }

    /**
     * Spring's CORS filter, except that a refused request (an origin not listed, a method or header not
     * allowed) is answered {@code 403} problem+json like every other refusal; Spring's own filter ends
     * it with an empty body and no content type.
     */
    private static WebFilter problemCors(CorsConfigurationSource source) {
        String refused = WebSecurityConfiguration.class.getName() + ".corsRefused";
        CorsWebFilter cors = new CorsWebFilter(source, new DefaultCorsProcessor() {
            @Override
            public boolean process(CorsConfiguration config, org.springframework.web.server.ServerWebExchange exchange) {
                boolean valid = super.process(config, exchange);
                if (!valid) exchange.getAttributes().put(refused, Boolean.TRUE);
                return valid;
            }
        });
        return (exchange, chain) -> cors.filter(exchange, chain)
                .then(Mono.defer(() -> exchange.getAttributes().containsKey(refused)
                        ? Mono.error(forbidden("This origin, method or header may not call the API from a browser"))
                        : Mono.empty()));
    }

    private static CorsConfigurationSource corsSource(CorsProperties properties) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        if (properties.allowedOrigins().isEmpty()) return source;
        CorsConfiguration config = new CorsConfiguration();
        config.setAllowedOrigins(properties.allowedOrigins());
        config.setAllowCredentials(true);
        config.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "DELETE"));
        config.setAllowedHeaders(List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, HttpHeaders.ACCEPT,
                "Last-Event-ID", CSRF_HEADER));
        config.setExposedHeaders(List.of(HttpHeaders.RETRY_AFTER, HttpHeaders.LOCATION));
        config.setMaxAge(Duration.ofHours(1));
        source.registerCorsConfiguration("/v1/**", config);
        return source;
    }

    private static boolean isV1(ServerHttpRequest request) {
        String path = request.getPath().pathWithinApplication().value();
        return path.equals("/v1") || path.startsWith("/v1/");
    }

    private static boolean isSignIn(ServerHttpRequest request) {
        return HttpMethod.POST.equals(request.getMethod())
                && request.getPath().pathWithinApplication().value().equals("/v1/sessions");
    }

    private static ProblemException forbidden(String detail) {
        return new ProblemException(HttpStatus.FORBIDDEN, Problems.FORBIDDEN, "Forbidden", detail);
    }
}
