package io.segstream.tenant;

import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Lets controller methods declare a {@link Caller} parameter: the principal Spring Security
 * authenticated the request as ({@link CallerAuthentication}). A request without one (the admin key,
 * or none on a public path) gets 401.
 */
@Configuration(proxyBeanMethods = false)
class AuthenticatedCallerResolver implements HandlerMethodArgumentResolver, WebFluxConfigurer {

    @Override
    public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
        configurer.addCustomResolver(this);
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == Caller.class;
    }

    @Override
    public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext context, ServerWebExchange exchange) {
        return exchange.getPrincipal()
                .filter(CallerAuthentication.class::isInstance)
                .map(p -> (Object) ((CallerAuthentication) p).getPrincipal())
                .switchIfEmpty(Mono.error(() -> Authenticator.unauthorized("This endpoint needs a tenant key")));
    }
}
