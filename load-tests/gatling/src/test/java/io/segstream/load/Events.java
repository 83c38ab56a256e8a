package io.segstream.load;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Realistic activity of a local business's contacts, as the event types of the HTTP API
 * ("Ingesting activity"): profile events ({@code contact.created},
 * {@code contact.updated}, {@code contact.tagged}/{@code untagged}, {@code audience.joined}/{@code left},
 * {@code contact.unsubscribed}/{@code resubscribed}) and behavioural events ({@code review.left},
 * {@code feedback.left}, {@code survey.answered}, {@code message.opened}, {@code referral.sent}).
 *
 * <p>Contacts are {@code c-0 .. c-(contacts-1)}, tags {@code t0..t19}, audiences {@code a0..a9} and
 * cities Lyon/Paris: the same vocabulary as load-tests/ingest/IngestBenchmark.java, so segments and
 * queries written for one data set match the other. Event ids carry a run id, so every run's events
 * are new (none is a duplicate) and every one should be accepted.
 */
final class Events {

    /** Unique per JVM start: base-36 time plus a random suffix, e.g. {@code m3x1k2-7f3}. */
    static final String RUN = Long.toString(System.currentTimeMillis(), 36) + "-"
            + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);

    /** How far back occurredAt goes: events arrive late and out of order, as they do in practice. */
    private static final long SPREAD_SECONDS = Duration.ofDays(60).toSeconds();

    private final int contacts;
    private final AtomicLong sequence = new AtomicLong();

    Events(int contacts) {
        if (contacts < 1) throw new IllegalArgumentException("contacts must be at least 1");
        this.contacts = contacts;
    }

    /** A request body of {@code n} events: a JSON array, or NDJSON (one event a line). */
    String batch(int n, boolean ndjson) {
        StringBuilder sb = new StringBuilder(n * 190 + 2);
        if (!ndjson) sb.append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(ndjson ? "\n" : ",");
            appendEvent(sb);
        }
        if (ndjson) sb.append('\n');
        else sb.append(']');
        return sb.toString();
    }

    private void appendEvent(StringBuilder sb) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String id = "g-" + RUN + "-" + sequence.getAndIncrement();
        String contact = "c-" + r.nextInt(contacts);
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(r.nextLong(SPREAD_SECONDS));
        int kind = r.nextInt(100);
        String type;
        String properties;
        if (kind < 10) {
            type = "contact.created";
            properties = "{\"attributes\":{\"email\":\"" + contact + "@example.com\",\"city\":\""
                    + (r.nextBoolean() ? "Lyon" : "Paris") + "\",\"visits\":" + r.nextInt(50) + "}}";
        } else if (kind < 15) {
            type = "contact.updated";
            properties = "{\"attributes\":{\"visits\":" + r.nextInt(50)
                    + (r.nextInt(4) == 0 ? ",\"city\":\"" + (r.nextBoolean() ? "Lyon" : "Paris") + "\"" : "") + "}}";
        } else if (kind < 35) {
            type = "review.left";
            properties = "{\"rating\":" + (1 + r.nextInt(5)) + ",\"site\":\""
                    + (r.nextBoolean() ? "google" : "facebook") + "\"}";
        } else if (kind < 38) {
            type = "feedback.left";
            properties = "{\"score\":" + r.nextInt(11) + ",\"channel\":\"sms\"}";
        } else if (kind < 50) {
            type = "survey.answered";
            properties = "{\"survey\":\"referral\",\"answer\":\"" + (r.nextBoolean() ? "YES" : "NO") + "\"}";
        } else if (kind < 74) {
            type = "message.opened";
            properties = "{\"channel\":\"" + (r.nextInt(4) == 0 ? "sms" : "email") + "\",\"campaign\":\"cmp-"
                    + r.nextInt(12) + "\"}";
        } else if (kind < 82) {
            type = "contact.tagged";
            properties = "{\"tag\":\"t" + r.nextInt(20) + "\"}";
        } else if (kind < 85) {
            type = "contact.untagged";
            properties = "{\"tag\":\"t" + r.nextInt(20) + "\"}";
        } else if (kind < 91) {
            type = "audience.joined";
            properties = "{\"audience\":\"a" + r.nextInt(10) + "\"}";
        } else if (kind < 93) {
            type = "audience.left";
            properties = "{\"audience\":\"a" + r.nextInt(10) + "\"}";
        } else if (kind < 95) {
            type = "contact.unsubscribed";
            properties = "{\"channel\":\"" + (r.nextBoolean() ? "sms" : "email") + "\"}";
        } else if (kind < 96) {
            type = "contact.resubscribed";
            properties = "{\"channel\":\"" + (r.nextBoolean() ? "sms" : "email") + "\"}";
        } else {
            type = "referral.sent";
            properties = "{\"to\":\"friend\"}";
        }
        sb.append("{\"id\":\"").append(id)
                .append("\",\"contactId\":\"").append(contact)
                .append("\",\"type\":\"").append(type)
                .append("\",\"occurredAt\":\"").append(at)
                .append("\",\"properties\":").append(properties).append('}');
    }
}
