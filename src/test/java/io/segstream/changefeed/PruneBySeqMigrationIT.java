package io.segstream.changefeed;

import static org.assertj.core.api.Assertions.assertThat;

import io.segstream.platform.EmbeddedPostgresServer;
import io.segstream.support.IntegrationTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * V8 on a database that an earlier pruning left as it did (rows older than the retention deleted in any
 * order): what no reader can reach goes, what is above {@code pruned_through} stays, and the index on the
 * stamp is gone. Runs in a database of its own on the embedded server.
 */
@IntegrationTest
class PruneBySeqMigrationIT {

    @Autowired
    EmbeddedPostgresServer postgres;

    @Test
    void v8DeletesTheRowsLeftAtOrBelowPrunedThroughAndDropsTheStampIndex() throws Exception {
        String database = "v8_check_" + System.nanoTime();
        try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl(), EmbeddedPostgresServer.USER, "");
                Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        String url = "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + database;
        Flyway.configure().dataSource(url, EmbeddedPostgresServer.USER, "").locations("classpath:db/migration").target("7")
                .load().migrate();
        try (Connection c = DriverManager.getConnection(url, EmbeddedPostgresServer.USER, "");
                Statement s = c.createStatement()) {
            assertThat(indexes(s)).contains("changes_at");
            // Tenant a: seqs 1-10 written, pruned through 6, but 2 and 5 were newer than their neighbours and kept.
            // Tenant b: nothing pruned.
            s.execute("INSERT INTO tenants (id, name, time_zone) VALUES ('a', 'A', 'UTC'), ('b', 'B', 'UTC')");
            s.execute("INSERT INTO change_seq (tenant_id, last_seq, pruned_through) VALUES ('a', 10, 6), ('b', 3, 0)");
            s.execute("""
                    INSERT INTO changes (tenant_id, seq, key, contact_id, contact_no, bit, at, cause_kind)
                    SELECT t, n, 'seg:vip', 'c' || n, n, true, now(), 'event'
                    FROM (VALUES ('a', 2), ('a', 5), ('a', 7), ('a', 8), ('a', 9), ('a', 10), ('b', 1), ('b', 2), ('b', 3)) v(t, n)""");

            Flyway.configure().dataSource(url, EmbeddedPostgresServer.USER, "").locations("classpath:db/migration").load().migrate();

            assertThat(seqs(s, "a")).containsExactly(7L, 8L, 9L, 10L);
            assertThat(seqs(s, "b")).containsExactly(1L, 2L, 3L);
            assertThat(indexes(s)).doesNotContain("changes_at").contains("changes_pkey");
        }
    }

    private static List<Long> seqs(Statement s, String tenant) throws Exception {
        List<Long> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery("SELECT seq FROM changes WHERE tenant_id = '" + tenant + "' ORDER BY seq")) {
            while (r.next()) out.add(r.getLong(1));
        }
        return out;
    }

    private static List<String> indexes(Statement s) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery("SELECT indexname FROM pg_indexes WHERE tablename = 'changes'")) {
            while (r.next()) out.add(r.getString(1));
        }
        return out;
    }
}
