package io.segstream.tenant;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Cross-origin access ({@code segstream.cors.*}).
 *
 * @param allowedOrigins origins (such as {@code https://dashboards.example.com}) whose pages may call
 *        {@code /v1} with credentials; none by default
 */
@ConfigurationProperties("segstream.cors")
public record CorsProperties(@DefaultValue List<String> allowedOrigins) {

    public CorsProperties {
        allowedOrigins = allowedOrigins == null ? List.of()
                : allowedOrigins.stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
    }
}
