package io.segstream.contact;

import io.segstream.rules.Value;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/contacts/{contactId}}: the contact's current profile and the segments it is in.
 * {@code createdAt} is null until the contact has an event with a time.
 */
@Schema(name = "Contact")
record ContactView(
        @Schema(example = "c-42") String contactId,
        @Schema(format = "date-time", nullable = true, example = "2026-11-28T10:00:00Z") String createdAt,
        @Schema(description = "Attribute values: strings, numbers or booleans", example = "{\"email\": \"ana@example.com\", \"visits\": 3}")
        Map<String, Object> attributes,
        List<String> tags,
        List<String> audiences,
        @Schema(description = "Consent per channel", example = "{\"email\": true, \"sms\": false}") Map<String, Boolean> subscriptions,
        @Schema(description = "Ids of the segments the contact is in") List<String> segments) {

    static ContactView of(ContactStore.StoredContact c) {
        Profile p = c.profile();
        Map<String, Object> attributes = new LinkedHashMap<>();
        p.currentAttributes().forEach((k, v) -> attributes.put(k, switch (v) {
            case Value.Text t -> t.value();
            case Value.Num n -> n.value();
            case Value.Bool b -> b.value();
            case Value.Other o -> throw new IllegalStateException("attributes are scalars");
        }));
        Map<String, Boolean> subscriptions = new LinkedHashMap<>();
        p.currentSubscriptions().forEach((ch, on) -> subscriptions.put(ch.wireName(), on));
        return new ContactView(c.contactId(), p.createdAt().map(Object::toString).orElse(null), attributes,
                p.currentTags(), p.currentAudiences(), subscriptions, c.segments());
    }
}
