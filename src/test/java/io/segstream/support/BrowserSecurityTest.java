package io.segstream.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * {@link IntegrationTest} with the clock tests set ({@link MutableClock}) and two origins allowed to
 * call the API from other sites; the browser-security ITs share this one application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@IntegrationTest
@Import(MutableClock.Config.class)
@TestPropertySource(properties = "segstream.cors.allowed-origins=" + BrowserSecurityTest.ALLOWED_ORIGIN + ", https://second.example")
public @interface BrowserSecurityTest {
    String ALLOWED_ORIGIN = "https://dashboards.example";
}
