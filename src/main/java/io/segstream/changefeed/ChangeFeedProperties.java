package io.segstream.changefeed;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The change feed's settings ({@code segstream.changes.*}).
 *
 * @param keepAlive interval of {@code : keep-alive} comments
 * @param retry the reconnection delay sent to clients on connect
 * @param buffer changes one subscriber may have pending; beyond, its stream is ended and it resumes
 * @param retention how long the change log keeps history (older resumes start with {@code reset})
 * @param poll how often feeds look at the log even without a wake-up
 */
@ConfigurationProperties("segstream.changes")
public record ChangeFeedProperties(
        @DefaultValue("15s") Duration keepAlive,
        @DefaultValue("3s") Duration retry,
        @DefaultValue("10000") int buffer,
        @DefaultValue("7d") Duration retention,
        @DefaultValue("1s") Duration poll,
        @DefaultValue("1h") Duration pruneEvery) {}
