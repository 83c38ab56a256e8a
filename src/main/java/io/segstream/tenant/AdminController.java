package io.segstream.tenant;

import io.segstream.platform.FieldError;
import io.segstream.platform.ProblemException;
import io.segstream.platform.Text;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** Tenant and key administration, behind the admin key ({@link WebSecurityConfiguration}). */
@RestController
@Tag(name = "Admin", description = "Tenants and API keys (admin key)")
@RequestMapping(path = "/v1/admin/tenants", produces = MediaType.APPLICATION_JSON_VALUE)
class AdminController {

    private final TenantStore store;
    private final Authenticator authenticator;

    AdminController(TenantStore store, Authenticator authenticator) {
        this.store = store;
        this.authenticator = authenticator;
    }

    @Operation(operationId = "createTenant", summary = "Create a tenant (admin key)")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = AdminViews.TenantView.class), examples = {
                    @ExampleObject(name = "tenant", summary = "A business location", value = "{\"id\": \"acme-paris\", \"name\": \"Acme Paris\", \"timeZone\": \"Europe/Paris\"}")}))
    @ApiResponse(responseCode = "201", description = "Created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = AdminViews.TenantView.class)))
    @ApiResponse(responseCode = "400", description = "Invalid fields, each at its JSON pointer")
    @ApiResponse(responseCode = "415", description = "The body is not application/json")
    @ApiResponse(responseCode = "409", description = "A tenant with this id exists")
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<AdminViews.TenantView>> createTenant(@RequestBody JsonNode body) {
        Text.requireStorable(body);
        Tenant tenant = parseTenant(body);
        return store.create(tenant)
                .switchIfEmpty(Mono.error(() -> ProblemException.conflict("Tenant '" + tenant.id() + "' exists")))
                .map(t -> ResponseEntity.status(HttpStatus.CREATED).body(AdminViews.TenantView.of(t)));
    }

    @Operation(operationId = "getTenant", summary = "A tenant (admin key)")
    @ApiResponse(responseCode = "200", description = "The tenant",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = AdminViews.TenantView.class)))
    @ApiResponse(responseCode = "404", description = "No such tenant")
    @GetMapping("/{tenant}")
    Mono<AdminViews.TenantView> getTenant(@PathVariable String tenant) {
        return store.find(tenant)
                .switchIfEmpty(Mono.error(() -> ProblemException.notFound("Tenant '" + tenant + "'")))
                .map(AdminViews.TenantView::of);
    }

    @Operation(operationId = "createKey", summary = "Create an API key of a tenant (admin key)", description = "The key is shown once and stored only as a hash.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = AdminViews.KeyRequest.class), examples = {
                    @ExampleObject(name = "all scopes", summary = "A key for a back office that ingests, reads and manages", value = "{\"scopes\": [\"ingest\", \"read\", \"manage\"]}"),
                    @ExampleObject(name = "read only", summary = "A key for a campaign sender", value = "{\"scopes\": [\"read\"]}")}))
    @ApiResponse(responseCode = "201", description = "Created: the key, shown once",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = AdminViews.KeyView.class)))
    @ApiResponse(responseCode = "400", description = "Invalid fields, each at its JSON pointer")
    @ApiResponse(responseCode = "415", description = "The body is not application/json")
    @ApiResponse(responseCode = "404", description = "No such tenant")
    @PostMapping(path = "/{tenant}/keys", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<AdminViews.KeyView>> createKey(@PathVariable String tenant, @RequestBody JsonNode body) {
        Text.requireStorable(body);
        Set<Scope> scopes = parseScopes(body);
        ApiKeys.Generated key = ApiKeys.generate();
        return store.addKey(tenant, key.id(), ApiKeys.hash(key.key()), scopes)
                .switchIfEmpty(Mono.error(() -> ProblemException.notFound("Tenant '" + tenant + "'")))
                .map(id -> ResponseEntity.status(HttpStatus.CREATED).body(new AdminViews.KeyView(id, tenant,
                        scopes.stream().map(Scope::wireName).toList(), key.key())));
    }

    @Operation(operationId = "revokeKey", summary = "Revoke an API key (admin key)", description = "Sessions opened with it end within 5 s.")
    @ApiResponse(responseCode = "204", description = "Revoked")
    @ApiResponse(responseCode = "404", description = "No such key of this tenant")
    @DeleteMapping("/{tenant}/keys/{keyId}")
    Mono<ResponseEntity<Void>> revokeKey(@PathVariable String tenant, @PathVariable String keyId) {
        return store.revokeKey(tenant, keyId).map(found -> {
            if (!found) throw ProblemException.notFound("Key '" + keyId + "' of tenant '" + tenant + "'");
            authenticator.forgetKey(keyId);
            return ResponseEntity.noContent().<Void>build();
        });
    }

    static Tenant parseTenant(JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw ProblemException.validation("", "must be a JSON object");
        }
        String id = text(body, "id", errors);
        if (id != null && !Tenant.ID_PATTERN.matcher(id).matches()) {
            errors.add(new FieldError("/id", "must match [a-z0-9][a-z0-9-]{0,62}"));
        }
        String name = text(body, "name", errors);
        if (name != null && (name.isBlank() || name.length() > 200)) {
            errors.add(new FieldError("/name", "must be 1-200 characters"));
        }
        String zone = text(body, "timeZone", errors);
        ZoneId zoneId = null;
        if (zone != null) {
            if (!ZoneId.getAvailableZoneIds().contains(zone)) {
                errors.add(new FieldError("/timeZone", "must be an IANA time zone such as Europe/Paris"));
            } else {
                zoneId = ZoneId.of(zone);
            }
        }
        if (!errors.isEmpty()) throw ProblemException.validation(errors);
        return new Tenant(id, name, zoneId);
    }

    static Set<Scope> parseScopes(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ProblemException.validation("", "must be a JSON object");
        }
        JsonNode scopes = body.get("scopes");
        if (scopes == null || !scopes.isArray() || scopes.isEmpty()) {
            throw ProblemException.validation("/scopes", "must be a non-empty array of ingest, read, manage");
        }
        List<FieldError> errors = new ArrayList<>();
        Set<Scope> out = EnumSet.noneOf(Scope.class);
        for (int i = 0; i < scopes.size(); i++) {
            JsonNode s = scopes.get(i);
            var scope = s.isString() ? Scope.fromWire(s.stringValue()) : java.util.Optional.<Scope>empty();
            if (scope.isEmpty()) {
                errors.add(new FieldError("/scopes/" + i, "must be one of ingest, read, manage"));
            } else {
                out.add(scope.get());
            }
        }
        if (!errors.isEmpty()) throw ProblemException.validation(errors);
        return out;
    }

    private static String text(JsonNode body, String field, List<FieldError> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            errors.add(new FieldError("/" + field, "is required"));
            return null;
        }
        if (!v.isString()) {
            errors.add(new FieldError("/" + field, "must be a string"));
            return null;
        }
        return v.stringValue();
    }
}
