package io.segstream.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.support.IntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

/** A {@link TextArray} reaches PostgreSQL as the very strings bound, through the service's own connections. */
@IntegrationTest
class TextArrayIT {

    @Autowired
    DatabaseClient db;

    private List<Optional<String>> roundTrip(TextArray array) {
        return db.sql("SELECT v FROM unnest(:a::text[]) WITH ORDINALITY AS u(v, ord) ORDER BY ord")
                .bind("a", array)
                .map(row -> Optional.ofNullable(row.get("v", String.class)))
                .all()
                .collectList()
                .block();
    }

    @Test
    void everyElementArrivesAsBoundWithNullsAsSqlNull() {
        String[] values = {"a", "{\"k\":\"v\\n\"}", null, "", "x,y} z", "Zoë 東京 🎉", "\\", "\"", "NULL", " spaced "};
        List<Optional<String>> expected = new ArrayList<>();
        for (String v : values) expected.add(Optional.ofNullable(v));
        assertThat(roundTrip(TextArray.of(values))).containsExactlyElementsOf(expected);
    }

    @Test
    void anEmptyArrayIsEmptyNotNull() {
        assertThat(roundTrip(TextArray.of(new String[0]))).isEmpty();
        Boolean empty = db.sql("SELECT :a::text[] = '{}'::text[] AS e")
                .bind("a", TextArray.of(new String[0]))
                .map(row -> row.get("e", Boolean.class))
                .one()
                .block();
        assertThat(empty).isTrue();
    }

    @Test
    void aLongJsonStateArrivesByteForByte() {
        StringBuilder state = new StringBuilder("{");
        for (int i = 0; i < 2_000; i++) state.append("\"k").append(i).append("\":\"v\\\"").append(i).append("\",");
        String json = state.append("\"end\":true}").toString();
        String stored = db.sql("SELECT (:a::text[])[2]::json::text AS s")
                .bind("a", TextArray.of(new String[] {"first", json}))
                .map(row -> row.get("s", String.class))
                .one()
                .block();
        assertThat(stored).isEqualTo(json);
    }
}
