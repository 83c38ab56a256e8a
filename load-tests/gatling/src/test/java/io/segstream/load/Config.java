package io.segstream.load;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Settings of the simulations. Each is read from a system property ({@code -Dbase.url=...}), else
 * from the environment variable {@code SEGSTREAM_} + the name in upper case with dots as
 * underscores ({@code SEGSTREAM_BASE_URL}), else its default. {@code setup.sh} prints both forms.
 */
final class Config {

    private Config() {}

    static String string(String name, String defaultValue) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            value = System.getenv("SEGSTREAM_" + name.toUpperCase(Locale.ROOT).replace('.', '_'));
        }
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    static int integer(String name, int defaultValue) {
        String value = string(name, null);
        if (value == null) return defaultValue;
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be an integer, not '" + value + "'", e);
        }
    }

    static double decimal(String name, double defaultValue) {
        String value = string(name, null);
        if (value == null) return defaultValue;
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + " must be a number, not '" + value + "'", e);
        }
    }

    static Duration seconds(String name, int defaultSeconds) {
        return Duration.ofSeconds(integer(name, defaultSeconds));
    }

    static List<String> list(String name, String defaultValue) {
        return Arrays.stream(string(name, defaultValue).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** The service's URL without a trailing slash, e.g. {@code http://127.0.0.1:8080}. */
    static String baseUrl() {
        String url = string("base.url", "http://127.0.0.1:8080");
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** A tenant key; the simulations need the scopes {@code ingest} and {@code read}. */
    static String apiKey() {
        return string("api.key", "demo-key");
    }

    /** The p99 response-time threshold of the assertions, in milliseconds. */
    static int p99Millis(int defaultMillis) {
        return integer("p99.ms", defaultMillis);
    }

    /** One line that says what a simulation is about to do, printed before it starts. */
    static void describe(String simulation, String details) {
        System.out.printf("%s against %s: %s%n", simulation, baseUrl(), details);
    }
}
