package io.segstream.platform;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import io.swagger.v3.oas.models.media.ObjectSchema;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.Order;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How the OpenAPI document ({@code /v3/api-docs}) describes answers: every error answer of every
 * operation is {@code application/problem+json} with the one {@code Problem} schema ({@link ProblemDetails},
 * the record the error handler writes), and every {@code /v1} operation may answer 503 (storage or Redis
 * unavailable, with {@code Retry-After}). Controllers declare their own statuses with
 * {@code @ApiResponse}; when they declare a success other than 200 (201, 202, 204), the 200 springdoc
 * infers from the return type is dropped. A JSON tree ({@code JsonNode}: rules, explanations) is any
 * JSON object.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiProblems {

    static final String PROBLEM = "Problem";
    static final String PROBLEM_REF = "#/components/schemas/" + PROBLEM;
    static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    /** An error answer with the problem body, for customizers elsewhere (401/403 of secured operations). */
    public static ApiResponse problem(String description) {
        return new ApiResponse().description(description)
                .content(new Content().addMediaType(PROBLEM_JSON, new MediaType().schema(new Schema<>().$ref(PROBLEM_REF))));
    }

    @Bean
    OperationCustomizer declaredSuccessReplacesInferred200() {
        return (operation, handlerMethod) -> {
            Set<String> declared = AnnotatedElementUtils.findMergedRepeatableAnnotations(handlerMethod.getMethod(),
                            io.swagger.v3.oas.annotations.responses.ApiResponse.class).stream()
                    .map(io.swagger.v3.oas.annotations.responses.ApiResponse::responseCode)
                    .collect(Collectors.toSet());
            boolean otherSuccess = declared.stream().anyMatch(code -> code.startsWith("2") && !code.equals("200"));
            if (otherSuccess && !declared.contains("200") && operation.getResponses() != null) {
                operation.getResponses().remove("200");
            }
            return operation;
        };
    }

    @Bean
    @Order(Integer.MAX_VALUE)
    OpenApiCustomizer problemAnswers() {
        // Rule trees and explanations are JSON trees: any JSON object, not the JsonNode class's getters.
        SpringDocUtils.getConfig().replaceWithSchema(JsonNode.class, new ObjectSchema())
                .replaceWithSchema(ObjectNode.class, new ObjectSchema());
        return openApi -> {
            registerProblemSchema(openApi);
            if (openApi.getPaths() == null) return;
            openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
                ApiResponses responses = operation.getResponses();
                if (responses == null) operation.responses(responses = new ApiResponses());
                if (path.startsWith("/v1/") && !responses.containsKey("503")) {
                    responses.addApiResponse("503", problem("Storage or the membership store is unavailable, or the tenant is "
                            + "overloaded; retry after the Retry-After header's seconds")
                            .addHeaderObject("Retry-After", new Header().description("Seconds to wait before retrying")
                                    .schema(new IntegerSchema())));
                }
                responses.forEach((code, response) -> {
                    if (isError(code)) {
                        ApiResponse withBody = problem(response.getDescription());
                        response.content(withBody.getContent());
                    }
                });
            }));
        };
    }

    private static boolean isError(String code) {
        return code.length() == 3 && (code.charAt(0) == '4' || code.charAt(0) == '5');
    }

    private static void registerProblemSchema(OpenAPI openApi) {
        Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
        openApi.components(components);
        if (components.getSchemas() != null && components.getSchemas().containsKey(PROBLEM)) return;
        boolean v31 = openApi.getSpecVersion() == SpecVersion.V31;
        Map<String, Schema> schemas = ModelConverters.getInstance(v31).readAll(new AnnotatedType(ProblemDetails.class));
        schemas.forEach(components::addSchemas);
    }
}
