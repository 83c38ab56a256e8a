package io.segstream.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every SQL statement of the service that touches a tenant's data names the tenant: so PostgreSQL can
 * be scaled out with Citus, every tenant-owned table distributed by {@code tenant_id} and colocated, and
 * each statement routed to the one node that holds the tenant (a join between two tenant tables on
 * {@code tenant_id} stays on that node).
 *
 * <p>The statements are read from the sources: the argument of every {@code .sql(...)} call in
 * {@code src/main/java}, evaluated from string literals, text blocks, {@code +}, {@code .formatted(...)}
 * and the file's {@code static final String} constants (a statement built any other way fails the test:
 * make it readable, or extend this reader). A {@code .formatted} argument that is not a constant (a
 * local variable holding a condition, a page size) is left out: the statement's own text must carry the
 * tenant filter. Tables come from the Flyway migrations; each is either
 * tenant-owned or global, and a new table must be put in one of the two sets below.
 *
 * <p>A statement touching a tenant-owned table must, for every reference to it, insert {@code tenant_id}
 * (INSERT column list) or compare that reference's {@code tenant_id} with {@code =} or {@code IN} (in
 * WHERE, a JOIN's ON, or a correlated subquery). The few statements that work across tenants on purpose
 * are listed in {@link #CROSS_TENANT} with the reason; an entry that matches no statement fails the test,
 * so the list cannot go stale.
 */
class TenantColocationTest {

    private static final Path MAIN = Path.of("src/main/java");
    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");

    /** Tables holding one tenant's data, distributed by {@code tenant_id} under Citus. */
    static final Set<String> TENANT_TABLES = Set.of("contacts", "events", "segments", "changes", "change_seq",
            "contact_timers", "segment_builds", "contact_number_blocks", "segment_deletions", "tenant_names",
            "tenant_name_counts");

    /**
     * Tables that are not distributed by tenant: {@code tenants} (one small row per tenant, a reference
     * table under Citus), {@code api_keys} and {@code sessions} (looked up by a key's or cookie's hash
     * before the tenant is known, so they cannot be routed by tenant: reference tables), and
     * {@code stream_token_secret} (one row for the whole service).
     */
    static final Set<String> GLOBAL_TABLES = Set.of("tenants", "api_keys", "sessions", "stream_token_secret");

    /**
     * Statements that touch tenant-owned tables across tenants on purpose: file, a fragment of the
     * statement (whitespace-normalised), and why. Under Citus each runs on every node (a multi-shard
     * query); none is on a request's path.
     */
    static final List<CrossTenant> CROSS_TENANT = List.of(
            new CrossTenant("membership/ProjectionSweeper.java", "SELECT tenant_id, last_seq FROM change_seq",
                    "the projection sweep lists every tenant's last seq to find projections that are behind; one small row per tenant"),
            new CrossTenant("changefeed/ChangePruner.java", "FROM change_seq s WHERE s.last_seq > s.pruned_through",
                    "the pruner finds tenants with changes older than the retention; its deletes then run per tenant"),
            new CrossTenant("membership/TimerStore.java", "FROM contact_timers WHERE due_at <= :now::timestamptz AND (lease_until IS NULL",
                    "instances claim due timers of any tenant (FOR UPDATE SKIP LOCKED); joined back on tenant_id. Citus runs "
                            + "FOR UPDATE only in single-shard queries: on Citus this claim must go per tenant or per shard"),
            new CrossTenant("membership/TimerStore.java", "SELECT count(*) FROM contact_timers WHERE due_at <= :now::timestamptz",
                    "the timer backlog gauge counts due timers of every tenant"),
            new CrossTenant("segment/SegmentBuilder.java", "FROM segment_builds WHERE lease_until IS NULL OR lease_until < now()",
                    "instances claim build jobs of any tenant (FOR UPDATE SKIP LOCKED); joined back on tenant_id. Same Citus "
                            + "caveat as the timer claim"),
            new CrossTenant("segment/SegmentDeletions.java", "FROM segment_deletions WHERE lease_until IS NULL OR lease_until < now()",
                    "instances claim the member removal of a deleted segment of any tenant (FOR UPDATE SKIP LOCKED); joined "
                            + "back on tenant_id. Same Citus caveat as the timer claim"));

    record CrossTenant(String file, String fragment, String why) {}

    record Statement(String file, int line, String sql) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + sql;
        }
    }

    @Test
    void everyTableOfTheMigrationsIsClassified() {
        Set<String> created = new TreeSet<>();
        Pattern create = Pattern.compile("(?i)CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?([a-z_][a-z0-9_]*)");
        for (Path f : files(MIGRATIONS, ".sql")) {
            Matcher m = create.matcher(read(f));
            while (m.find()) created.add(m.group(1).toLowerCase(Locale.ROOT));
        }
        Set<String> classified = new TreeSet<>(TENANT_TABLES);
        classified.addAll(GLOBAL_TABLES);
        assertThat(created).as("tables created by the migrations: add a new one to TENANT_TABLES or GLOBAL_TABLES")
                .isEqualTo(classified);
    }

    @Test
    void everyStatementOnATenantTableFiltersByTenant() {
        List<Statement> statements = statements();
        assertThat(statements).as("statements read from src/main/java").hasSizeGreaterThan(40);
        List<String> offences = new ArrayList<>();
        Map<CrossTenant, Integer> used = new LinkedHashMap<>();
        CROSS_TENANT.forEach(c -> used.put(c, 0));
        for (Statement s : statements) {
            List<String> problems = problems(s.sql());
            if (problems.isEmpty()) continue;
            CrossTenant allowed = CROSS_TENANT.stream()
                    .filter(c -> s.file().endsWith(c.file()) && normal(s.sql()).contains(normal(c.fragment())))
                    .findFirst().orElse(null);
            if (allowed != null) {
                used.merge(allowed, 1, Integer::sum);
                continue;
            }
            offences.add(s.file() + ":" + s.line() + ": " + String.join("; ", problems) + "\n    " + normal(s.sql()));
        }
        assertThat(offences).as("statements on tenant-owned tables without a tenant_id filter (add it, or justify in CROSS_TENANT)")
                .isEmpty();
        used.forEach((c, n) -> assertThat(n).as("CROSS_TENANT entry matches a statement: %s", c).isPositive());
    }

    @Test
    void theCheckRejectsWhatItShould() {
        assertThat(problems("SELECT * FROM contacts WHERE contact_id = :id")).isNotEmpty();
        assertThat(problems("SELECT * FROM contacts WHERE tenant_id = :t AND contact_id = :id")).isEmpty();
        assertThat(problems("SELECT * FROM contacts c JOIN events e ON e.contact_id = c.contact_id WHERE c.tenant_id = :t"))
                .as("the joined table is not tied to the tenant").isNotEmpty();
        assertThat(problems("SELECT * FROM contacts c JOIN events e ON e.tenant_id = c.tenant_id AND e.contact_id = c.contact_id "
                + "WHERE c.tenant_id = :t")).isEmpty();
        assertThat(problems("INSERT INTO events (event_id, contact_id) VALUES (:e, :c)")).isNotEmpty();
        assertThat(problems("INSERT INTO events (tenant_id, event_id) SELECT :t, e FROM unnest(:ids::text[]) AS u(e)")).isEmpty();
        assertThat(problems("UPDATE change_seq SET last_seq = last_seq + 1")).isNotEmpty();
        assertThat(problems("DELETE FROM contact_timers t USING unnest(:ids::text[]) AS v(id) WHERE t.tenant_id = :tenant")).isEmpty();
        assertThat(problems("SELECT x.id FROM contacts c, unnest(c.segments) AS x(id) WHERE c.tenant_id = :t")).isEmpty();
        assertThat(problems("SELECT id, name FROM tenants")).as("global table").isEmpty();
        assertThat(problems("SELECT s.tenant_id FROM change_seq s WHERE (SELECT c.at FROM changes c WHERE c.tenant_id = s.tenant_id "
                + "ORDER BY c.seq LIMIT 1) < :before")).as("joined on tenant_id, but across every tenant").isNotEmpty();
        assertThat(problems("INSERT INTO change_seq (tenant_id, last_seq) VALUES (:t, :n) ON CONFLICT (tenant_id) DO UPDATE "
                + "SET last_seq = change_seq.last_seq + :n")).isEmpty();
        assertThat(problems("SELECT seq FROM changes WHERE tenant_id = :t AND seq > :from AND key = :k ORDER BY seq")).isEmpty();
        assertThat(problems("SELECT * FROM contacts WHERE tenant_id = :t FOR UPDATE SKIP LOCKED")).isEmpty();
        assertThat(problems("SELECT * FROM mystery WHERE tenant_id = :t")).as("unclassified table").isNotEmpty();
    }

    // --- the check ---

    private static final Pattern TABLE_REF = Pattern.compile(
            "(?i)(?<![:.\\w])(FROM|JOIN|UPDATE|INTO|USING)\\s+(?:ONLY\\s+)?([a-z_][a-z0-9_]*)(?:\\s+(?:AS\\s+)?([a-z_][a-z0-9_]*))?");
    private static final Set<String> NOT_ALIAS = Set.of("where", "set", "on", "join", "left", "right", "inner", "cross",
            "full", "group", "order", "limit", "offset", "for", "returning", "using", "values", "select", "union", "natural",
            "lateral", "as", "default", "on_conflict", "window", "having");

    /** Why the statement does not name the tenant for each tenant-owned table it touches (empty: it does). */
    static List<String> problems(String sql) {
        String s = stripLiterals(sql);
        List<String> out = new ArrayList<>();
        boolean tenantTable = false;
        Matcher m = TABLE_REF.matcher(s);
        while (m.find()) {
            String keyword = m.group(1).toUpperCase(Locale.ROOT);
            String table = m.group(2).toLowerCase(Locale.ROOT);
            if (s.startsWith("(", m.end(2))) continue; // a function: unnest(...), FROM generate_series(...)
            if (Set.of("select", "lateral", "unnest").contains(table)) continue;
            // ON CONFLICT ... DO UPDATE SET, FOR UPDATE [SKIP LOCKED | NOWAIT | OF t]: not a table reference.
            if (keyword.equals("UPDATE") && Pattern.compile("(?i)\\b(DO|FOR)\\s+$").matcher(s.substring(0, m.start())).find()) continue;
            if (keyword.equals("FROM") && isExtractOrSubstring(s, m.start())) continue;
            if (GLOBAL_TABLES.contains(table)) continue;
            if (!TENANT_TABLES.contains(table)) {
                if (isCte(s, table)) continue;
                out.add("unclassified table " + table);
                continue;
            }
            tenantTable = true;
            String alias = m.group(3) == null || NOT_ALIAS.contains(m.group(3).toLowerCase(Locale.ROOT)) ? table : m.group(3);
            if (keyword.equals("INTO")) {
                if (!insertsTenant(s, m.end(2))) out.add("INSERT INTO " + table + " without tenant_id in its column list");
            } else if (!comparesTenant(s, alias, table)) {
                out.add(table + (alias.equals(table) ? "" : " " + alias) + " without a tenant_id comparison");
            }
        }
        if (tenantTable && !PINNED.matcher(s).find() && !Pattern.compile("(?i)\\bINSERT\\s+INTO\\s+\\w+\\s*\\([^)]*\\btenant_id\\b")
                .matcher(s).find()) {
            out.add("not tied to one tenant (no tenant_id = :parameter): it runs across tenants");
        }
        return out;
    }

    /** {@code tenant_id = :param} (or {@code IN (...)}): the statement is routed to one tenant's data. */
    private static final Pattern PINNED = Pattern.compile("(?i)(?<![\\w])(?:\\w+\\.)?tenant_id\\s*(?:=\\s*:\\w|IN\\s*\\()");

    /** {@code extract(epoch FROM x)}, {@code substring(x FROM n)}: FROM inside a function call, not a table. */
    private static boolean isExtractOrSubstring(String s, int fromIndex) {
        String before = s.substring(0, fromIndex).toLowerCase(Locale.ROOT);
        int open = before.lastIndexOf('(');
        if (open < 0) return false;
        String head = before.substring(Math.max(0, open - 12), open);
        int depth = 0;
        for (int i = open + 1; i < before.length(); i++) {
            if (before.charAt(i) == '(') depth++;
            if (before.charAt(i) == ')') depth--;
        }
        return depth == 0 && before.indexOf(')', open) < 0 && (head.endsWith("extract") || head.endsWith("substring")
                || head.endsWith("trim") || head.endsWith("overlay"));
    }

    private static boolean isCte(String s, String name) {
        return Pattern.compile("(?i)\\b" + name + "\\s*(?:\\([^)]*\\))?\\s+AS\\s+(?:NOT\\s+)?(?:MATERIALIZED\\s+)?\\(").matcher(s).find();
    }

    private static boolean insertsTenant(String s, int afterTable) {
        int open = s.indexOf('(', afterTable);
        int close = open < 0 ? -1 : s.indexOf(')', open);
        if (open < 0 || close < 0 || !s.substring(afterTable, open).isBlank()) return false;
        return Pattern.compile("(?i)\\btenant_id\\b").matcher(s.substring(open, close)).find();
    }

    private static boolean comparesTenant(String s, String alias, String table) {
        String qualified = "(?:\\b(?:" + Pattern.quote(alias) + "|" + Pattern.quote(table) + ")\\.|(?<![.\\w]))tenant_id";
        return Pattern.compile("(?i)" + qualified + "\\s*(?:=|\\bIN\\b)").matcher(s).find()
                || Pattern.compile("(?i)=\\s*" + qualified + "\\b").matcher(s).find();
    }

    /** The statement with its SQL string literals blanked (a literal is not a table). */
    private static String stripLiterals(String sql) {
        return sql.replaceAll("'(?:[^']|'')*'", "''").replaceAll("--[^\\n]*", " ");
    }

    private static String normal(String sql) {
        return sql.replaceAll("\\s+", " ").trim();
    }

    // --- reading the statements from the sources ---

    static List<Statement> statements() {
        List<Statement> out = new ArrayList<>();
        for (Path f : files(MAIN, ".java")) {
            String src = read(f);
            if (!src.contains(".sql(")) continue;
            JavaSource source = new JavaSource(MAIN.relativize(f).toString(), src);
            out.addAll(source.statements());
        }
        return out;
    }

    private static List<Path> files(Path root, String suffix) {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tokens of one Java file, the string constants it declares, and an evaluator of string expressions. */
    static final class JavaSource {

        enum Kind { STRING, IDENT, SYMBOL }

        record Token(Kind kind, String text, int line) {}

        /** What a {@code .formatted} argument that is not a constant reads as. */
        static final String ARGUMENT = "/*argument*/";

        private final String file;
        private final List<Token> tokens;
        private final Map<String, Integer> constants = new HashMap<>(); // name -> index of its initializer
        private final Map<String, String> values = new HashMap<>();

        JavaSource(String file, String src) {
            this.file = file;
            this.tokens = tokenize(src);
            for (int i = 0; i + 3 < tokens.size(); i++) {
                if (is(i, "static") && isAhead(i, "final") && is(i + 2, "String") && tokens.get(i + 3).kind() == Kind.IDENT
                        && is(i + 4, "=")) {
                    constants.put(tokens.get(i + 3).text(), i + 5);
                }
            }
        }

        private boolean isAhead(int i, String text) {
            return is(i + 1, text);
        }

        private boolean is(int i, String text) {
            return i < tokens.size() && tokens.get(i).kind() != Kind.STRING && tokens.get(i).text().equals(text);
        }

        List<Statement> statements() {
            List<Statement> out = new ArrayList<>();
            for (int i = 0; i + 2 < tokens.size(); i++) {
                if (is(i, ".") && is(i + 1, "sql") && is(i + 2, "(")) {
                    int[] at = {i + 3};
                    String sql = expression(at);
                    if (sql == null || !is(at[0], ")")) {
                        throw new AssertionError(file + ":" + tokens.get(i).line()
                                + ": the statement passed to .sql(...) is not built from literals, constants, + and .formatted(...);"
                                + " make it one, so that its tenant filter can be checked");
                    }
                    out.add(new Statement(file, tokens.get(i).line(), sql));
                }
            }
            return out;
        }

        /** expr := term ('+' term)*; null when not a constant string expression. */
        private String expression(int[] at) {
            String value = term(at);
            if (value == null) return null;
            StringBuilder sb = new StringBuilder(value);
            while (is(at[0], "+")) {
                at[0]++;
                String next = term(at);
                if (next == null) return null;
                sb.append(next);
            }
            return sb.toString();
        }

        /** term := primary ('.formatted' '(' expr (',' expr)* ')')* */
        private String term(int[] at) {
            String value = primary(at);
            while (value != null && is(at[0], ".") && is(at[0] + 1, "formatted") && is(at[0] + 2, "(")) {
                at[0] += 3;
                List<String> args = new ArrayList<>();
                while (!is(at[0], ")")) {
                    int start = at[0];
                    String arg = expression(at);
                    if (arg == null || !(is(at[0], ",") || is(at[0], ")"))) {
                        // Not a constant (a local variable, a number): the statement's skeleton is checked without it.
                        at[0] = skipArgument(start);
                        arg = ARGUMENT;
                    }
                    args.add(arg);
                    if (is(at[0], ",")) at[0]++;
                }
                at[0]++;
                value = format(value, args);
            }
            return value;
        }

        /** Index of the {@code ,} or {@code )} that ends the argument starting at {@code start}. */
        private int skipArgument(int start) {
            int depth = 0;
            for (int i = start; i < tokens.size(); i++) {
                if (is(i, "(") || is(i, "[") || is(i, "{")) depth++;
                else if (is(i, ")") || is(i, "]") || is(i, "}")) {
                    if (depth == 0) return i;
                    depth--;
                } else if (depth == 0 && is(i, ",")) return i;
            }
            return tokens.size();
        }

        /** {@code String.formatted} for {@code %s}, {@code %d} and {@code %%}, with arguments as text. */
        private static String format(String template, List<String> args) {
            StringBuilder sb = new StringBuilder();
            int next = 0;
            for (int i = 0; i < template.length(); i++) {
                char c = template.charAt(i);
                if (c == '%' && i + 1 < template.length()) {
                    char f = template.charAt(++i);
                    if (f == '%') sb.append('%');
                    else sb.append(next < args.size() ? args.get(next++) : ARGUMENT);
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }

        private String primary(int[] at) {
            if (at[0] >= tokens.size()) return null;
            Token t = tokens.get(at[0]);
            if (t.kind() == Kind.STRING) {
                at[0]++;
                return t.text();
            }
            if (is(at[0], "(")) {
                at[0]++;
                String v = expression(at);
                if (v == null || !is(at[0], ")")) return null;
                at[0]++;
                return v;
            }
            if (t.kind() == Kind.IDENT) {
                // Class.NAME or NAME: a constant of this file.
                int i = at[0];
                String name = t.text();
                while (is(i + 1, ".") && i + 2 < tokens.size() && tokens.get(i + 2).kind() == Kind.IDENT
                        && !is(i + 2, "formatted")) {
                    i += 2;
                    name = tokens.get(i).text();
                }
                String v = constant(name);
                if (v == null) return null;
                at[0] = i + 1;
                return v;
            }
            return null;
        }

        private String constant(String name) {
            if (values.containsKey(name)) return values.get(name);
            Integer start = constants.get(name);
            if (start == null) return null;
            values.put(name, null); // a cycle reads as unresolvable
            int[] at = {start};
            String v = expression(at);
            values.put(name, v);
            return v;
        }

        /** Java tokens: string literals and text blocks (decoded), identifiers, single-character symbols; comments dropped. */
        static List<Token> tokenize(String src) {
            List<Token> out = new ArrayList<>();
            int line = 1;
            int i = 0;
            int n = src.length();
            while (i < n) {
                char c = src.charAt(i);
                if (c == '\n') {
                    line++;
                    i++;
                } else if (Character.isWhitespace(c)) {
                    i++;
                } else if (src.startsWith("//", i)) {
                    while (i < n && src.charAt(i) != '\n') i++;
                } else if (src.startsWith("/*", i)) {
                    int end = src.indexOf("*/", i + 2);
                    line += count(src, i, end, '\n');
                    i = end + 2;
                } else if (src.startsWith("\"\"\"", i)) {
                    int start = src.indexOf('\n', i) + 1;
                    int end = src.indexOf("\"\"\"", start);
                    while (src.charAt(end - 1) == '\\') end = src.indexOf("\"\"\"", end + 1);
                    out.add(new Token(Kind.STRING, unescape(src.substring(start, end)), line));
                    line += count(src, i, end, '\n');
                    i = end + 3;
                } else if (c == '"') {
                    int j = i + 1;
                    while (src.charAt(j) != '"') j += src.charAt(j) == '\\' ? 2 : 1;
                    out.add(new Token(Kind.STRING, unescape(src.substring(i + 1, j)), line));
                    i = j + 1;
                } else if (c == '\'') {
                    int j = i + 1;
                    while (src.charAt(j) != '\'') j += src.charAt(j) == '\\' ? 2 : 1;
                    out.add(new Token(Kind.SYMBOL, src.substring(i, j + 1), line));
                    i = j + 1;
                } else if (Character.isJavaIdentifierStart(c)) {
                    int j = i;
                    while (j < n && Character.isJavaIdentifierPart(src.charAt(j))) j++;
                    out.add(new Token(Kind.IDENT, src.substring(i, j), line));
                    i = j;
                } else {
                    out.add(new Token(Kind.SYMBOL, String.valueOf(c), line));
                    i++;
                }
            }
            return out;
        }

        private static int count(String s, int from, int to, char c) {
            int k = 0;
            for (int i = from; i < to; i++) if (s.charAt(i) == c) k++;
            return k;
        }

        private static String unescape(String s) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c != '\\' || i + 1 == s.length()) {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(++i);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 's' -> sb.append(' ');
                    case '\n' -> { } // a text block's line continuation
                    default -> sb.append(e);
                }
            }
            return sb.toString();
        }
    }
}
