package io.segstream.contact;

import io.segstream.platform.PgArrays;
import io.segstream.platform.TextArray;
import io.segstream.support.IntegrationTest;
import io.segstream.support.ProbeShapedPlans;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The contacts' lock, their rewrite and the erasure of deleted contacts' events probe per contact, whatever the
 * tenant's size.
 */
@IntegrationTest
class ProbeShapedPlansIT extends ProbeShapedPlans {

    @Test
    void theContactsRewriteProbesThePrimaryKeyOncePerContact() {
        Boolean[] live = new Boolean[BATCH];
        java.util.Arrays.fill(live, true);
        String plan = plan(ContactStore.WRITE_ROWS, Map.of(
                "ids", TextArray.of(ids("c", BATCH)),
                "states", TextArray.of(repeated("{\"city\":\"Lyon\"}", BATCH)),
                "behaviours", TextArray.of(repeated("{}", BATCH)),
                "segments", TextArray.of(repeated("{}", BATCH)),
                "live", PgArrays.booleans(live),
                "created", TextArray.of(repeated("2026-11-01T10:00:00Z", BATCH)),
                "dues", TextArray.of(repeated(null, BATCH))));
        assertProbesPerRow(plan, "contacts", "contact_id = v.contact_id");
    }

    @Test
    void lockingABatchsContactsProbesThePrimaryKeyOncePerContact() {
        String plan = plan(ContactStore.LOCK_BY_IDS, Map.of("ids", TextArray.of(ids("c", BATCH))));
        assertProbesPerRow(plan, "contacts", "contact_id = u.id");
    }

    @Test
    void theErasureOfDeletedContactsEventsProbesTheirEventsPerContact() {
        String plan = plan(ContactStore.ERASE, Map.of(
                "ids", TextArray.of(ids("c", BATCH)),
                "ats", TextArray.of(repeated("2026-11-01T10:00:00Z", BATCH)),
                "eids", TextArray.of(ids("e", BATCH))));
        assertProbesPerRow(plan, "events", "contact_id = v.contact_id");
    }
}
