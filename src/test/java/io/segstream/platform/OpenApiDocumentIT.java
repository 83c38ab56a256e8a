package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.Api;
import io.segstream.support.IntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI document ({@code /v3/api-docs}) against the application's routes and answers: every
 * {@code /v1} route is documented with its method and nothing else is; every operation but sign-in
 * requires a credential; every error answer is the one problem+json schema; every JSON success has a
 * schema with properties; the events body offers JSON and NDJSON with examples; the streams are
 * {@code text/event-stream} with their resume parameters; and real answers carry the documented fields.
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDocumentIT {

    private static final String PROBLEM_REF = "#/components/schemas/Problem";

    @Autowired
    WebTestClient client;

    @Autowired
    ApplicationContext context;

    private final JsonMapper json = JsonMapper.builder().build();
    private JsonNode doc;

    @BeforeAll
    void readTheDocument() throws Exception {
        // The first request builds the document (a scan of every handler): seconds on a busy machine.
        byte[] body = client.mutate().responseTimeout(Duration.ofSeconds(60)).build()
                .get().uri("/v3/api-docs").exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody();
        doc = json.readTree(body);
        Path out = Path.of("target", "openapi.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, json.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
    }

    /** "GET /v1/segments"-style keys of every documented /v1 operation. */
    private Set<String> documented() {
        Set<String> out = new TreeSet<>();
        doc.get("paths").properties().forEach(path -> {
            if (!path.getKey().startsWith("/v1")) return;
            path.getValue().propertyNames().forEach(method -> {
                if (isMethod(method)) out.add(method.toUpperCase() + " " + path.getKey());
            });
        });
        return out;
    }

    private static boolean isMethod(String name) {
        return Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace").contains(name);
    }

    private List<Map.Entry<String, JsonNode>> operations() {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (isMethod(op.getKey())) out.add(Map.entry(op.getKey().toUpperCase() + " " + path.getKey(), op.getValue()));
        }));
        return out;
    }

    @Test
    void everyRouteIsDocumentedWithItsMethodAndEveryDocumentedOperationIsARoute() {
        Set<String> routes = new TreeSet<>();
        context.getBeansOfType(RequestMappingHandlerMapping.class).values().forEach(mapping ->
                mapping.getHandlerMethods().keySet().forEach(info -> {
                    for (PathPattern pattern : info.getPatternsCondition().getPatterns()) {
                        String path = pattern.getPatternString();
                        if (!path.startsWith("/v1")) continue;
                        assertThat(info.getMethodsCondition().getMethods()).as(path + " names its methods").isNotEmpty();
                        info.getMethodsCondition().getMethods().forEach(m -> routes.add(m.name() + " " + path));
                    }
                }));
        assertThat(routes).hasSizeGreaterThan(20);
        assertThat(documented()).isEqualTo(routes);
    }

    @Test
    void everyOperationButSignInRequiresAKnownSecurityScheme() {
        Set<String> schemes = new TreeSet<>();
        doc.get("components").get("securitySchemes").propertyNames().forEach(schemes::add);
        JsonNode global = doc.get("security");
        for (var op : operations()) {
            JsonNode security = op.getValue().has("security") ? op.getValue().get("security") : global;
            if (op.getKey().equals("POST /v1/sessions")) {
                assertThat(security.isEmpty()).as("sign-in needs no credential").isTrue();
                continue;
            }
            assertThat(security.isArray() && !security.isEmpty()).as(op.getKey() + " has security").isTrue();
            security.forEach(requirement -> requirement.propertyNames()
                    .forEach(name -> assertThat(schemes).as(op.getKey()).contains(name)));
            assertThat(op.getValue().get("responses").has("401")).as(op.getKey() + " answers 401").isTrue();
            if (op.getKey().contains(" /v1/admin/")) {
                assertThat(security).as("admin: the bearer admin key only").hasSize(1);
            } else {
                assertThat(op.getValue().get("responses").has("403")).as(op.getKey() + " answers 403").isTrue();
            }
            assertThat(op.getValue().get("responses").has("503")).as(op.getKey() + " answers 503").isTrue();
        }
    }

    @Test
    void everyErrorAnswerIsTheProblemSchemaAsProblemJson() {
        int errors = 0;
        for (var op : operations()) {
            var responses = op.getValue().get("responses").properties();
            for (var response : responses) {
                if (!(response.getKey().startsWith("4") || response.getKey().startsWith("5"))) continue;
                errors++;
                JsonNode content = response.getValue().get("content");
                String where = op.getKey() + " " + response.getKey();
                assertThat(content).as(where).isNotNull();
                assertThat(iterable(content.propertyNames())).as(where).containsExactly("application/problem+json");
                assertThat(content.get("application/problem+json").get("schema").get("$ref").asString()).as(where)
                        .isEqualTo(PROBLEM_REF);
                assertThat(response.getValue().get("description").asString()).as(where).isNotBlank();
            }
        }
        assertThat(errors).isGreaterThan(50);
        JsonNode problem = doc.get("components").get("schemas").get("Problem");
        assertThat(iterable(problem.get("properties").propertyNames()))
                .containsExactlyInAnyOrder("type", "title", "status", "detail", "instance", "errors");
        JsonNode error = resolve(problem.get("properties").get("errors").get("items"));
        assertThat(iterable(error.get("properties").propertyNames())).containsExactlyInAnyOrder("pointer", "message", "line", "column");
    }

    @Test
    void everySuccessHasItsRealStatusAndEveryJsonSuccessASchemaWithProperties() {
        for (var op : operations()) {
            JsonNode responses = op.getValue().get("responses");
            List<String> successes = new ArrayList<>();
            responses.propertyNames().forEach(code -> {
                if (code.startsWith("2")) successes.add(code);
            });
            assertThat(successes).as(op.getKey() + " has exactly one success").hasSize(1);
            JsonNode content = responses.get(successes.get(0)).get("content");
            if (successes.get(0).equals("204")) {
                assertThat(content == null || content.isEmpty()).as(op.getKey() + " 204 has no body").isTrue();
                continue;
            }
            assertThat(content).as(op.getKey() + " has a body").isNotNull();
            JsonNode jsonBody = content.get("application/json");
            if (jsonBody == null) continue;
            JsonNode schema = resolve(jsonBody.get("schema"));
            assertThat(schema.has("properties") && !schema.get("properties").isEmpty())
                    .as(op.getKey() + " answers an object with properties: " + schema).isTrue();
        }
        assertThat(doc.get("components").get("schemas").propertyNames()).as("no framework type leaks into the document")
                .doesNotContain("JsonNode", "DataBuffer", "ObjectNode", "Caller");
        JsonNode members = operation("GET /v1/segments/{id}/members").get("responses").get("200").get("content");
        assertThat(members.get("application/x-ndjson").get("schema").get("$ref").asString()).isEqualTo("#/components/schemas/MemberLine");
        assertThat(members.get("application/json").get("schema").get("$ref").asString()).isEqualTo("#/components/schemas/MemberPage");
        List<String> operationIds = operations().stream().map(op -> op.getValue().get("operationId").asString()).toList();
        assertThat(operationIds).as("operation ids name what they do, once each").doesNotHaveDuplicates()
                .noneMatch(id -> id.matches(".*_[0-9]+"));
        assertThat(success("POST /v1/segments")).isEqualTo("201");
        assertThat(success("DELETE /v1/segments/{id}")).isEqualTo("204");
        assertThat(success("POST /v1/events")).isEqualTo("202");
        assertThat(success("POST /v1/admin/tenants")).isEqualTo("201");
        assertThat(success("POST /v1/stream-tokens")).isEqualTo("201");
        assertThat(success("POST /v1/sessions")).isEqualTo("201");
        assertThat(success("DELETE /v1/sessions/current")).isEqualTo("204");
        assertThat(iterable(operation("POST /v1/events").get("responses").propertyNames())).contains("400", "413", "415");
        assertThat(iterable(operation("POST /v1/segments").get("responses").propertyNames())).contains("400", "409", "415");
        assertThat(iterable(operation("GET /v1/segments/{id}").get("responses").propertyNames())).contains("404");
    }

    @Test
    void theEventsBodyOffersJsonAndNdjsonWithExamples() {
        JsonNode content = operation("POST /v1/events").get("requestBody").get("content");
        assertThat(iterable(content.propertyNames())).containsExactlyInAnyOrder("application/json", "application/x-ndjson");
        for (String media : List.of("application/json", "application/x-ndjson")) {
            JsonNode examples = content.get(media).get("examples");
            assertThat(examples).as(media).isNotNull();
            assertThat(examples.isEmpty()).as(media).isFalse();
        }
        JsonNode array = content.get("application/json").get("schema");
        assertThat(array.get("type").asString()).isEqualTo("array");
        assertThat(iterable(resolve(array.get("items")).get("properties").propertyNames()))
                .contains("id", "contactId", "type", "occurredAt", "properties");
        String ndjson = content.get("application/x-ndjson").get("examples").properties().iterator().next().getValue()
                .get("value").asString();
        for (String line : ndjson.strip().split("\n")) assertThat(json.readTree(line).has("contactId")).isTrue();
    }

    @Test
    void segmentBodiesShowTheSeedExampleAsRuleAndAsRuleText() {
        for (String op : List.of("POST /v1/segments", "PUT /v1/segments/{id}", "POST /v1/segments/preview")) {
            JsonNode examples = operation(op).get("requestBody").get("content").get("application/json").get("examples");
            assertThat(iterable(examples.propertyNames())).as(op).contains("rule", "ruleText");
            JsonNode rule = value(examples.get("rule"));
            assertThat(rule.get("rule").toString()).as(op).contains("survey.answered", "referral", "inCurrent");
            JsonNode text = value(examples.get("ruleText"));
            assertThat(text.get("ruleText").asString()).as(op).contains("review.left(rating >= 4)", "answer = \"YES\"");
        }
    }

    @Test
    void changeStreamsAreEventStreamsWithTheirResumeParameters() {
        for (String op : List.of("GET /v1/changes", "GET /v1/segments/{id}/changes")) {
            JsonNode operation = operation(op);
            JsonNode ok = operation.get("responses").get("200");
            assertThat(iterable(ok.get("content").propertyNames())).as(op).containsExactly("text/event-stream");
            assertThat(ok.get("description").asString()).contains("id:", "event: enter", "event: reset", "event: count", "keep-alive");
            List<String> refs = new ArrayList<>();
            ok.get("content").get("text/event-stream").get("schema").get("oneOf").forEach(s -> refs.add(s.get("$ref").asString()));
            assertThat(refs).containsExactlyInAnyOrder("#/components/schemas/ChangeData", "#/components/schemas/ResetData",
                    "#/components/schemas/CountData");
            List<String> parameters = new ArrayList<>();
            operation.get("parameters").forEach(p -> parameters.add(p.get("in").asString() + ":" + p.get("name").asString()));
            assertThat(parameters).as(op).contains("header:Last-Event-ID", "query:after", "query:access_token", "query:counts");
            assertThat(operation.get("security").toString()).contains("streamToken");
        }
        assertThat(iterable(resolve(doc.get("components").get("schemas").get("ChangeData")).get("properties").propertyNames()))
                .containsExactlyInAnyOrder("seq", "segment", "contactId", "change", "at", "cause");
    }

    @Test
    void realAnswersCarryTheDocumentedFields() {
        Api api = new Api(client);
        Api.TestTenant tenant = api.newTenant();
        api.createSegment(tenant.key(), "{\"id\": \"vip\", \"name\": \"VIP\", \"ruleText\": \"has tag vip\"}").expectStatus().isCreated();
        JsonNode list = json.readTree(api.get(tenant.key(), "/v1/segments").expectStatus().isOk()
                .expectBody().returnResult().getResponseBody());
        assertThat(iterable(list.propertyNames())).containsExactlyInAnyOrderElementsOf(properties("GET /v1/segments", "200"));
        JsonNode segment = resolve(resolve(operationSchema("GET /v1/segments", "200")).get("properties").get("segments").get("items"));
        assertThat(iterable(list.get("segments").get(0).propertyNames()))
                .containsExactlyInAnyOrderElementsOf(iterable(segment.get("properties").propertyNames()));

        JsonNode problem = json.readTree(client.post().uri("/v1/segments")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tenant.key()).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"name\": \"x\", \"ruleText\": \"tag \"}").exchange().expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().returnResult().getResponseBody());
        JsonNode schema = doc.get("components").get("schemas").get("Problem");
        assertThat(iterable(problem.propertyNames())).containsExactlyInAnyOrderElementsOf(iterable(schema.get("properties").propertyNames()));
        JsonNode fieldError = resolve(schema.get("properties").get("errors").get("items"));
        assertThat(iterable(problem.get("errors").get(0).propertyNames()))
                .containsExactlyInAnyOrderElementsOf(iterable(fieldError.get("properties").propertyNames()));
    }

    /** An example's value: the JSON itself, or JSON text. */
    private JsonNode value(JsonNode example) {
        JsonNode value = example.get("value");
        return value.isString() ? json.readTree(value.asString()) : value;
    }

    private List<String> properties(String op, String code) {
        return iterable(resolve(operationSchema(op, code)).get("properties").propertyNames());
    }

    private JsonNode operationSchema(String op, String code) {
        return operation(op).get("responses").get(code).get("content").get("application/json").get("schema");
    }

    private String success(String op) {
        List<String> codes = new ArrayList<>();
        operation(op).get("responses").propertyNames().forEach(c -> {
            if (c.startsWith("2")) codes.add(c);
        });
        assertThat(codes).as(op).hasSize(1);
        return codes.get(0);
    }

    private JsonNode operation(String key) {
        return operations().stream().filter(e -> e.getKey().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("Not documented: " + key)).getValue();
    }

    private JsonNode resolve(JsonNode schema) {
        if (schema != null && schema.has("$ref")) {
            String name = schema.get("$ref").asString().substring("#/components/schemas/".length());
            return doc.get("components").get("schemas").get(name);
        }
        return schema;
    }

    private static List<String> iterable(Iterable<String> names) {
        List<String> out = new ArrayList<>();
        names.forEach(out::add);
        return out;
    }

    private static List<String> iterable(java.util.Collection<String> names) {
        return new ArrayList<>(names);
    }
}
