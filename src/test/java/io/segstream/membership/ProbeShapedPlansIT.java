package io.segstream.membership;

import io.segstream.platform.TextArray;
import io.segstream.support.IntegrationTest;
import io.segstream.support.ProbeShapedPlans;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Clearing a batch's timers probes per contact, whatever the tenant's size. */
@IntegrationTest
class ProbeShapedPlansIT extends ProbeShapedPlans {

    @Test
    void clearingTimersProbesThePrimaryKeyOncePerContact() {
        String plan = plan(TimerStore.CLEAR, Map.of("ids", TextArray.of(ids("c", BATCH))));
        assertProbesPerRow(plan, "contact_timers", "contact_id = v.id");
    }
}
