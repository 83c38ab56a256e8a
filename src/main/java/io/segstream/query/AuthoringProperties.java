package io.segstream.query;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the authoring endpoints ({@code segstream.authoring.*}): segment history and rule preview.
 *
 * @param historyStampSlack how much earlier than the changes with lower seqs a change can be stamped (the
 *        longest a membership-writing transaction runs); history reads this much of the log before its window
 * @param previewExactLimit a rule that needs contact state is evaluated over every contact when the tenant
 *        has at most this many, else over a random sample
 * @param previewSample how many contacts a sampled preview evaluates
 * @param previewBudget how long a preview may take before it answers from what it has evaluated
 * @param previewConcurrency previews of one tenant in flight per instance; more are answered 429
 */
@ConfigurationProperties("segstream.authoring")
public record AuthoringProperties(
        @DefaultValue("1m") Duration historyStampSlack,
        @DefaultValue("20000") int previewExactLimit,
        @DefaultValue("4000") int previewSample,
        @DefaultValue("1500ms") Duration previewBudget,
        @DefaultValue("2") int previewConcurrency) {}
