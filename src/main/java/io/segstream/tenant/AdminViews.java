package io.segstream.tenant;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** The answers of tenant and key administration ({@link AdminController}). */
final class AdminViews {

    private AdminViews() {}

    /** A tenant: one business location, its calendar conditions computed in {@code timeZone}. */
    @Schema(name = "Tenant")
    record TenantView(@Schema(example = "acme-paris") String id, @Schema(example = "Acme Paris") String name,
            @Schema(description = "IANA time zone", example = "Europe/Paris") String timeZone) {

        static TenantView of(Tenant t) {
            return new TenantView(t.id(), t.name(), t.timeZone().getId());
        }
    }

    /** A new API key: {@code key} is shown this once and stored only as a hash. */
    @Schema(name = "CreatedKey")
    record KeyView(@Schema(description = "The key's id, for revoking it") String id,
            @Schema(example = "acme-paris") String tenant,
            @Schema(example = "[\"ingest\", \"read\"]") List<String> scopes,
            @Schema(description = "The bearer key (`sgs_<keyId>_<secret>`); shown once") String key) {}

    /** The body of a key creation, for the document only. */
    @Schema(name = "KeyInput", requiredProperties = "scopes")
    record KeyRequest(@ArraySchema(minItems = 1, schema = @Schema(allowableValues = {"ingest", "read", "manage"})) List<String> scopes) {}
}
