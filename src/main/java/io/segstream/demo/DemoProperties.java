package io.segstream.demo;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The demo simulator ({@code segstream.demo.*}; docs/demo.md).
 *
 * @param enabled runs the simulator for tenant {@code demo} in embedded mode ({@code SEGSTREAM_DEMO=true})
 * @param rate simulated events per second (more than 0, at most 5,000)
 * @param seed the generator's random seed, for a reproducible activity; absent: a new one each start
 */
@ConfigurationProperties("segstream.demo")
public record DemoProperties(@DefaultValue("false") boolean enabled, @DefaultValue("20") double rate, Long seed) {

    static final double MAX_RATE = 5_000;

    public DemoProperties {
        if (!(rate > 0 && rate <= MAX_RATE)) {
            throw new IllegalArgumentException("segstream.demo.rate must be more than 0 and at most " + MAX_RATE + ", not " + rate);
        }
    }
}
