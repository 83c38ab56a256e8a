package io.segstream.ingest;

import io.segstream.platform.TextArray;
import io.segstream.support.IntegrationTest;
import io.segstream.support.ProbeShapedPlans;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The check of a batch's new tag and audience names looks its events up per event, whatever the tenant's size. */
@IntegrationTest
class ProbeShapedPlansIT extends ProbeShapedPlans {

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
