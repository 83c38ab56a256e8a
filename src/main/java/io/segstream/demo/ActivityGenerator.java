package io.segstream.demo;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Simulated activity of a local business's customers: a growing population of contacts (each starts
 * with {@code contact.created}) that leave reviews, answer the referral and NPS surveys, refer friends,
 * open messages, get tagged, join audiences, unsubscribe and come back. Most activity falls on recent
 * contacts, as it does after a visit. Deterministic for a given seed and run; not thread-safe (one
 * caller at a time). Memory is bounded: contacts are numbered, and only the last few hundred promoters
 * and unsubscribers are remembered.
 *
 * <p>Proportions, per 100 events: 12 new contacts, 3 profile updates, 14 reviews (ratings mostly 4-5, a
 * tail of 1-2; Google or Facebook), 11 survey answers (referral YES/NO, NPS 0-10), 5 referrals, 32
 * message opens, 10 tags ({@code local}, {@code returning}, {@code vip}), 9 audience joins
 * ({@code newsletter}, {@code loyal-customers}), 3 unsubscribes and 1 resubscribe.
 */
final class ActivityGenerator {

    static final List<String> TYPES = List.of("contact.created", "contact.updated", "review.left", "survey.answered",
            "referral.sent", "message.opened", "contact.tagged", "audience.joined", "contact.unsubscribed",
            "contact.resubscribed");
    /** Weights of {@link #TYPES}, in the same order, out of 100. */
    private static final int[] WEIGHTS = {12, 3, 14, 11, 5, 32, 10, 9, 3, 1};
    private static final int REMEMBERED = 500;

    private static final String[] FIRST_NAMES = {"Ada", "Louise", "Camille", "Hugo", "Léa", "Lucas", "Manon", "Nathan",
            "Chloé", "Gabriel", "Inès", "Jules", "Sarah", "Karim", "Emma", "Tom", "Yasmine", "Paul", "Zoé", "Malik"};
    private static final String[] LAST_NAMES = {"Martin", "Bernard", "Dubois", "Durand", "Lefebvre", "Moreau", "Garcia",
            "Fournier", "Girard", "Bonnet", "Mercier", "Lambert", "Faure", "Rousseau", "Nguyen", "Benali"};
    private static final String[] CITIES = {"Lyon", "Lyon", "Lyon", "Lyon", "Villeurbanne", "Villeurbanne", "Caluire",
            "Bron", "Oullins", "Écully"};
    private static final String[] DOMAINS = {"example.com", "example.org", "example.net"};
    private static final String[] CAMPAIGNS = {"welcome", "review-request", "monthly-newsletter", "spring-offer",
            "referral-invite", "win-back"};

    private final SplittableRandom random;
    private final String run;
    private long nextEvent;
    private long contacts;
    private final ArrayDeque<Long> promoters = new ArrayDeque<>();
    private final ArrayDeque<Unsubscribed> unsubscribed = new ArrayDeque<>();

    private record Unsubscribed(long contact, String channel) {}

    /**
     * @param seed the random seed
     * @param run distinguishes this run's event and contact ids from earlier runs' ({@code [a-z0-9]+})
     */
    ActivityGenerator(long seed, String run) {
        if (!run.matches("[a-z0-9]{1,16}")) throw new IllegalArgumentException("run must be 1-16 of [a-z0-9], not '" + run + "'");
        this.random = new SplittableRandom(seed);
        this.run = run;
    }

    /** Contacts created so far. */
    long contacts() {
        return contacts;
    }

    /** The next {@code n} events, every one occurring at {@code now}. */
    List<DemoEvent> next(int n, Instant now) {
        List<DemoEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(next(now));
        return out;
    }

    private DemoEvent next(Instant now) {
        String type = contacts == 0 ? "contact.created" : TYPES.get(pick(WEIGHTS));
        return switch (type) {
            case "contact.created" -> created(now);
            case "contact.updated" -> event(active(), type, now, Map.of("attributes", Map.of("city", one(CITIES))));
            case "review.left" -> event(active(), type, now, review());
            case "survey.answered" -> survey(now);
            case "referral.sent" -> event(referrer(), type, now, Map.of("channel", random.nextInt(3) == 0 ? "sms" : "email"));
            case "message.opened" -> event(active(), type, now, Map.of("channel", random.nextInt(4) == 0 ? "sms" : "email",
                    "campaign", one(CAMPAIGNS)));
            case "contact.tagged" -> event(active(), type, now, Map.of("tag", tag()));
            case "audience.joined" -> event(active(), type, now,
                    Map.of("audience", random.nextInt(5) < 3 ? "newsletter" : "loyal-customers"));
            case "contact.unsubscribed" -> unsubscribe(now);
            case "contact.resubscribed" -> resubscribe(now);
            default -> throw new IllegalStateException("no generator for " + type);
        };
    }

    private DemoEvent created(Instant now) {
        long no = contacts++;
        String first = one(FIRST_NAMES);
        String last = one(LAST_NAMES);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("firstName", first);
        attributes.put("lastName", last);
        attributes.put("city", one(CITIES));
        if (random.nextInt(10) < 9) {
            attributes.put("email", ascii(first) + "." + ascii(last) + no + "@" + one(DOMAINS));
        }
        if (random.nextInt(10) < 6) {
            attributes.put("phone", String.format(Locale.ROOT, "+336%08d", random.nextInt(100_000_000)));
        }
        return event(no, "contact.created", now, Map.of("attributes", attributes));
    }

    private Map<String, Object> review() {
        int r = random.nextInt(100);
        int rating = r < 45 ? 5 : r < 70 ? 4 : r < 82 ? 3 : r < 90 ? 2 : 1;
        return Map.of("rating", rating, "site", random.nextInt(10) < 7 ? "google" : "facebook");
    }

    private DemoEvent survey(Instant now) {
        long contact = active();
        if (random.nextInt(10) < 6) {
            boolean yes = random.nextInt(100) < 55;
            if (yes) remember(promoters, contact);
            return event(contact, "survey.answered", now, Map.of("survey", "referral", "answer", yes ? "YES" : "NO"));
        }
        int r = random.nextInt(100);
        int score = r < 45 ? 9 + random.nextInt(2) : r < 75 ? 7 + random.nextInt(2) : random.nextInt(7);
        return event(contact, "survey.answered", now, Map.of("survey", "nps", "score", score));
    }

    /** Mostly contacts who said they would refer a friend. */
    private long referrer() {
        if (!promoters.isEmpty() && random.nextInt(10) < 7) {
            return promoters.stream().skip(random.nextInt(promoters.size())).findFirst().orElseThrow();
        }
        return active();
    }

    private String tag() {
        int r = random.nextInt(100);
        return r < 50 ? "local" : r < 85 ? "returning" : "vip";
    }

    private DemoEvent unsubscribe(Instant now) {
        long contact = active();
        int r = random.nextInt(10);
        String channel = r < 6 ? "email" : r < 9 ? "sms" : "all";
        remember(unsubscribed, new Unsubscribed(contact, channel));
        return event(contact, "contact.unsubscribed", now, Map.of("channel", channel));
    }

    /** A recent unsubscriber comes back on the same channel; with none, a message is opened instead. */
    private DemoEvent resubscribe(Instant now) {
        Unsubscribed u = unsubscribed.pollFirst();
        if (u == null) return event(active(), "message.opened", now, Map.of("channel", "email", "campaign", one(CAMPAIGNS)));
        return event(u.contact(), "contact.resubscribed", now, Map.of("channel", u.channel()));
    }

    /** An existing contact, most likely a recent one: the newest tenth gets about half of the activity. */
    private long active() {
        double u = random.nextDouble();
        long back = (long) (contacts * u * u * u);
        return contacts - 1 - Math.min(back, contacts - 1);
    }

    private DemoEvent event(long contact, String type, Instant now, Map<String, Object> properties) {
        return new DemoEvent("demo-" + run + "-" + nextEvent++, "c-" + run + "-" + contact, type, now, properties);
    }

    private int pick(int[] weights) {
        int total = 0;
        for (int w : weights) total += w;
        int r = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) return i;
        }
        throw new IllegalStateException("weights");
    }

    private String one(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static <T> void remember(ArrayDeque<T> recent, T value) {
        if (recent.size() == REMEMBERED) recent.pollFirst();
        recent.addLast(value);
    }

    private static String ascii(String name) {
        return java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD).replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
    }
}
