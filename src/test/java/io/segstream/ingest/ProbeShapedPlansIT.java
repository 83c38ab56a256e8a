package io.segstream.ingest;

import io.segstream.platform.TextArray;
import io.segstream.support.IntegrationTest;
import io.segstream.support.ProbeShapedPlans;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Opening a batch looks its contacts up by their ids, and the check of its new tag and audience names its events,
 * whatever the tenant's size.
 */
@IntegrationTest
class ProbeShapedPlansIT extends ProbeShapedPlans {

    @Test
    void openingABatchLooksItsContactsUpByTheirIdsInTheIndex() {
        String plan = plan(EventLog.OPEN, Map.of(
                "ids", TextArray.of(ids("new", BATCH)),
                "contacts", TextArray.of(ids("c", BATCH)),
                "types", TextArray.of(repeated("message.opened", BATCH)),
                "times", TextArray.of(repeated("2026-11-01T10:00:00Z", BATCH)),
                "props", TextArray.of(repeated("{}", BATCH)),
                "contactIds", TextArray.of(ids("c", BATCH))));
        assertProbesPerRow(plan, "contacts", "contact_id = ANY");
    }

    @Test
    void theNamesCheckProbesTheEventsPrimaryKeyOncePerEvent() {
        String plan = plan(TenantNames.CHECK, Map.of(
                "ids", TextArray.of(ids("e", BATCH)),
                "kinds", TextArray.of(repeated("tag", BATCH)),
                "names", TextArray.of(ids("t", BATCH)),
                "maxTags", 1000,
                "maxAudiences", 1000));
        // the planner names the CTE v_1 here
        assertProbesPerRow(plan, "events", "(event_id = v");
    }
}
