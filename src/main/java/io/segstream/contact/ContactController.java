package io.segstream.contact;

import io.segstream.rules.Value;
import io.segstream.platform.ProblemException;
import io.segstream.tenant.Caller;
import io.segstream.tenant.Scope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code GET /v1/contacts/{contactId}}: the contact's current profile. */
@RestController
class ContactController {

    private final ContactStore store;

    ContactController(ContactStore store) {
        this.store = store;
    }

    @GetMapping(path = "/v1/contacts/{contactId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Map<String, Object>> get(Caller caller, @PathVariable String contactId) {
        caller.require(Scope.READ);
        return store.find(caller.tenantId(), contactId)
                .switchIfEmpty(Mono.error(() -> ProblemException.notFound("Contact '" + contactId + "'")))
                .map(ContactController::view);
    }

    static Map<String, Object> view(ContactStore.StoredContact c) {
        Profile p = c.profile();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("contactId", c.contactId());
        out.put("createdAt", p.createdAt().map(Object::toString).orElse(null));
        Map<String, Object> attributes = new LinkedHashMap<>();
        p.currentAttributes().forEach((k, v) -> attributes.put(k, switch (v) {
            case Value.Text t -> t.value();
            case Value.Num n -> n.value();
            case Value.Bool b -> b.value();
            case Value.Other o -> throw new IllegalStateException("attributes are scalars");
        }));
        out.put("attributes", attributes);
        out.put("tags", p.currentTags());
        out.put("audiences", p.currentAudiences());
        Map<String, Boolean> subscriptions = new LinkedHashMap<>();
        p.currentSubscriptions().forEach((ch, on) -> subscriptions.put(ch.wireName(), on));
        out.put("subscriptions", subscriptions);
        out.put("segments", c.segments());
        return out;
    }
}
