package io.segstream.tenant;

import java.time.ZoneId;
import java.util.Objects;
import java.util.regex.Pattern;

/** One business location: its id, display name and the time zone calendar conditions use. */
public record Tenant(String id, String name, ZoneId timeZone) {

    /** Tenant ids, and also segment ids: lower-case letters, digits and hyphens, 1-63 characters. */
    public static final Pattern ID_PATTERN = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    public Tenant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(timeZone, "timeZone");
    }
}
