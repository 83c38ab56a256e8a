#!/usr/bin/env bash
# PostgreSQL's CPU per statement while ingesting: the rounds of ab-ingest.sh (10 live segments, 100,000 events
# each) against one build or several side by side (their rounds alternating), with log_statement_stats on for the
# service's role, then every parse, bind and execute message's CPU (getrusage: user + system, as PostgreSQL logs
# it) summed per statement and build.
#
#   load-tests/segments/statement-cpu.sh new target/segstream-0.1.0-SNAPSHOT.jar 8121
#   load-tests/segments/statement-cpu.sh old /tmp/old.jar 8121 new target/segstream-0.1.0-SNAPSHOT.jar 8122
#
# ROUNDS (default 3) as in ab-ingest.sh. PGLOG is the server's log file (default: Debian's
# /var/log/postgresql/postgresql-<major>-main.log); the role's settings are reset on exit. Logging every
# statement costs PostgreSQL CPU too, and the host's load moves every statement's cost from run to run: compare
# builds within one run (the last column: each build's figure over the first build's).
set -uo pipefail
cd "$(dirname "$0")/../.."
(($# >= 3 && $# % 3 == 0)) || { echo "usage: statement-cpu.sh <label> <jar> <port> [<label> <jar> <port> ...]" >&2; exit 2; }
builds=("$@")
labels=()
for ((i = 0; i < $#; i += 3)); do labels+=("${builds[$i]}"); done
PGPORT=${PGPORT:-5432}
psql_() { psql -X -q -At -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres "$@"; }
major=$(psql_ -c "SHOW server_version_num" | cut -c1-2)
PGLOG=${PGLOG:-/var/log/postgresql/postgresql-$major-main.log}
[[ -r $PGLOG ]] || { echo "PostgreSQL's log $PGLOG is not readable: set PGLOG" >&2; exit 1; }
role=postgres
reset() { psql_ -c "ALTER ROLE $role RESET log_statement_stats" -c "ALTER ROLE $role RESET log_min_duration_statement" \
  -c "ALTER ROLE $role RESET log_parameter_max_length" >/dev/null; }
trap reset EXIT
psql_ -c "ALTER ROLE $role SET log_statement_stats = on" -c "ALTER ROLE $role SET log_min_duration_statement = 0" \
  -c "ALTER ROLE $role SET log_parameter_max_length = 0" >/dev/null
from=$(stat -c %s "$PGLOG")
ROUNDS=${ROUNDS:-3} PGPORT=$PGPORT load-tests/segments/ab-ingest.sh "${builds[@]}"
reset
python3 - "$PGLOG" "$from" "${labels[@]}" <<'PY'
import collections, re, sys
log, start, labels = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
dbs = {'segstream_ab_' + l: l for l in labels}
line_re = re.compile(r'^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[(\d+)\] (\S*) (\w+):  (.*)')
entries, cur = [], None
with open(log, 'rb') as f:
    f.seek(start)
    for raw in f:
        line = raw.decode('utf-8', 'replace').rstrip('\n')
        m = line_re.match(line)
        if m:
            cur = [m.group(2), m.group(3), m.group(4)]
            entries.append(cur)
        elif cur:
            cur[2] += '\n' + line

def kind(sql):
    s = ' '.join(sql.split())
    if s.startswith('UPDATE contacts c SET state'): return "contacts' rewrite"
    if 'INSERT INTO events' in s: return 'open: tenant FOR SHARE, events inserted, which contacts exist'
    if 'FOR UPDATE' in s and 'FROM contacts' in s and ('LATERAL' in s or 'contact_id = ANY' in s): return 'contacts locked and read'
    if s.startswith('INSERT INTO contacts'): return 'new contacts inserted'
    if 'contact_timers' in s and ('INSERT' in s or 'DELETE' in s): return 'timers set or cleared'
    if 'INSERT INTO changes' in s: return 'change-log append'
    return s[:80]

cpu, msgs, wall = collections.Counter(), collections.Counter(), collections.Counter()
pending = None
for who, level, msg in entries:
    label = dbs.get(who.split('@')[-1])
    if label is None:
        continue
    if level == 'LOG' and 'STATISTICS' in msg:
        pending = {}
    elif level == 'DETAIL' and pending is not None:
        m = re.search(r'([\d.]+) s user, ([\d.]+) s system, ([\d.]+) s elapsed', msg)
        if m:
            pending = {'cpu': float(m.group(1)) + float(m.group(2)), 'wall': float(m.group(3))}
    elif level == 'STATEMENT' and pending:
        k = (label, kind(msg))
        cpu[k] += pending['cpu']; wall[k] += pending['wall']; msgs[k] += 1
        pending = None
totals = {l: sum(v for (b, _), v in cpu.items() if b == l) for l in labels}
if not any(totals.values()):
    sys.exit('no statement statistics found in ' + log)
first = labels[0]
statements = [k for (b, k), _ in collections.Counter({(b, k): v for (b, k), v in cpu.items() if b == first}).most_common(12)]
print(f"{'build':<10} {'CPU s':>8} {'share':>6} {'wall s':>8} {'messages':>9} {'/' + first:>8}  statement")
for k in statements:
    for l in labels:
        v = cpu[(l, k)]
        ratio = f"{v / cpu[(first, k)]:.2f}" if cpu[(first, k)] else ''
        print(f"{l:<10} {v:8.2f} {100 * v / totals[l]:5.1f}% {wall[(l, k)]:8.2f} {msgs[(l, k)]:9d} {ratio:>8}  {k}")
for l in labels:
    print(f"{l:<10} {totals[l]:8.2f} of backend CPU in all statements of segstream_ab_{l}")
PY
