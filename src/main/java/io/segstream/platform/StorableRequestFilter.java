package io.segstream.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Rejects, before any handler runs, a request whose decoded path or query parameters hold a string
 * segstream cannot store or look up ({@link Text}: a NUL, an unpaired surrogate): 400 problem+json, one
 * error per bad part ({@code /path/<segment index>} or {@code /query/<name>}). Without it, an id such as
 * {@code GET /v1/contacts/%00} reached PostgreSQL, which refused it (500).
 */
@Component
class StorableRequestFilter implements WebFilter, Ordered {

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        List<FieldError> errors = new ArrayList<>();
        List<PathContainer.Element> elements = exchange.getRequest().getPath().pathWithinApplication().elements();
        int segment = 0;
        for (PathContainer.Element e : elements) {
            if (!(e instanceof PathContainer.PathSegment s)) continue;
            String problem = Text.problem(s.valueToMatch());
            if (problem != null) errors.add(new FieldError("/path/" + segment, "the path segment " + problem));
            segment++;
        }
        for (Map.Entry<String, List<String>> q : exchange.getRequest().getQueryParams().entrySet()) {
            String nameProblem = Text.problem(q.getKey());
            if (nameProblem != null) {
                errors.add(new FieldError("/query", "a parameter name " + nameProblem));
                continue;
            }
            for (String v : q.getValue()) {
                String problem = v == null ? null : Text.problem(v);
                if (problem != null) errors.add(new FieldError("/query/" + FieldError.token(q.getKey()), problem));
            }
        }
        if (!errors.isEmpty()) return Mono.error(ProblemException.validation(errors));
        return chain.filter(exchange);
    }
}
