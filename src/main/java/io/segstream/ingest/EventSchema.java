package io.segstream.ingest;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.Map;

/**
 * One event as a client sends it, for the OpenAPI document only: {@link IngestController} reads the body
 * as a stream and validates each event itself ({@link EventValidator}).
 */
@Schema(name = "Event", requiredProperties = {"id", "contactId", "type", "occurredAt"})
record EventSchema(
        @Schema(description = "The client's idempotency key, unique per tenant", example = "evt-0001", maxLength = 128) String id,
        @Schema(description = "The tenant's own contact id", example = "c-42", minLength = 1, maxLength = 128) String contactId,
        @Schema(description = "contact.created, contact.updated, contact.tagged, ... or any behavioural type", example = "review.left")
        String type,
        @Schema(example = "2026-11-28T10:00:00Z") Instant occurredAt,
        @Schema(description = "The event's properties (for contact.* types: attributes, tag, audience, channel)",
                example = "{\"rating\": 5, \"site\": \"google\"}") Map<String, Object> properties) {

    static final String BATCH_EXAMPLE = """
            [{"id": "evt-0001", "contactId": "c-42", "type": "contact.created", "occurredAt": "2026-11-28T09:00:00Z",
              "properties": {"attributes": {"email": "ana@example.com"}}},
             {"id": "evt-0002", "contactId": "c-42", "type": "review.left", "occurredAt": "2026-11-28T10:00:00Z",
              "properties": {"rating": 5, "site": "google"}},
             {"id": "evt-0003", "contactId": "c-42", "type": "survey.answered", "occurredAt": "2026-11-28T10:05:00Z",
              "properties": {"survey": "referral", "answer": "YES"}}]""";

    static final String NDJSON_EXAMPLE = """
            {"id": "evt-0001", "contactId": "c-42", "type": "contact.created", "occurredAt": "2026-11-28T09:00:00Z", "properties": {"attributes": {"email": "ana@example.com"}}}
            {"id": "evt-0002", "contactId": "c-42", "type": "review.left", "occurredAt": "2026-11-28T10:00:00Z", "properties": {"rating": 5, "site": "google"}}
            {"id": "evt-0003", "contactId": "c-42", "type": "survey.answered", "occurredAt": "2026-11-28T10:05:00Z", "properties": {"survey": "referral", "answer": "YES"}}
            """;
}
