#!/usr/bin/env bash
# Produces the project's benchmark report (BENCHMARKS.md) in one command:
#   load-tests/benchmark/run.sh                      # the full run: 1,000,000 contacts (see README.md here)
#   CONTACTS=20000 RATES=500 STREAMS=200 SECONDS_PER_RATE=10 OUT=/tmp/b.md PORT=8092 load-tests/benchmark/run.sh
#
# 1. builds the jar if missing, starts the service (java -Xmx2g -jar) against the local PostgreSQL 15
#    and Redis 7 (BENCH_EXTERNAL=1, the default: fresh database, FLUSHALL; the production jar) or its
#    embedded servers (BENCH_EXTERNAL=0; the jar of ./mvnw -Pembedded package, which carries them), and
#    waits for readiness;
# 2. runs the existing clients, unchanged: load-tests/segments/bench-segments.sh,
#    load-tests/changefeed/bench-changefeed.sh, load-tests/queries/bench-queries.sh; then records the
#    service's heap (after a full GC), Redis memory and the PostgreSQL database size;
# 3. measures, in the same run and on the same servers, the parts' raw limits (redis-benchmark SETBIT with
#    pipelining; a batched PostgreSQL insert of as many rows as events were ingested, into a copy of the
#    events table) and the naive alternative (the query benchmark's count and 3-operand query answered by
#    SQL over the stored profiles and events, timed like the HTTP ones: sequential runs, p50/p99);
# 4. writes the report to OUT (default BENCHMARKS.md at the repository root) with every figure next to
#    its target, and the raw output to LOG (default load-tests/benchmark/last-run.log).
# The service is stopped on exit (also on Ctrl-C or a failure); a failing benchmark step is reported as
# such and the run goes on with the next one.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
HERE=load-tests/benchmark

# ---- knobs (README.md beside this script) -----------------------------------------------------------
KNOBS=(CONTACTS EVENTS RATES SECONDS_PER_RATE WARMUP STREAMS BENCH_EXTERNAL PORT SERVER_PORT JAR REBUILD OUT LOG
       HEAP BENCH_DB PGHOST PGPORT PGUSER REDIS_HOST REDIS_PORT REDIS_BENCH_N NAIVE_N NAIVE_SECONDS
       STEP_TIMEOUT STEP_IDLE_TIMEOUT KEEP_DATA SERVICE_JVM_OPTS INGEST_STREAMS STREAMS_INGEST_ROUNDS)
INVOKED=""
for k in "${KNOBS[@]}"; do
  if [[ -v $k ]]; then v=${!k}; [[ $v =~ [[:space:]] || -z $v ]] && v="\"$v\""; INVOKED+="$k=$v "; fi
done
INVOKED+="$HERE/run.sh"

export CONTACTS=${CONTACTS:-1000000}          # contacts for the backfill and the query benchmark
export EVENTS=${EVENTS:-100000}               # events per ingest round (0 vs 10 segments, 3 rounds each)
export RATES=${RATES-1000 2500 5000}          # change-feed latency rates, events/s
export SECONDS_PER_RATE=${SECONDS_PER_RATE:-30}
export WARMUP=${WARMUP:-5}                  # seconds at each rate before its measured ones, not counted
export STREAMS=${STREAMS:-10000}              # concurrent SSE streams
INGEST_STREAMS=${INGEST_STREAMS:-2000}        # streams open while 200 clients ingest at once ...
STREAMS_INGEST_ROUNDS=${STREAMS_INGEST_ROUNDS:-3}  # ... that many times
BENCH_EXTERNAL=${BENCH_EXTERNAL:-1}           # 1: local PostgreSQL + Redis (wiped!); 0: embedded servers
BENCH_PORT=${PORT:-${SERVER_PORT:-8080}}
# The production jar carries no embedded server; embedded mode runs the -Pembedded build's jar.
if [[ $BENCH_EXTERNAL == 1 ]]; then
  DEFAULT_JAR=target/segstream-0.1.0-SNAPSHOT.jar; BUILD=(./mvnw -B -q package -DskipTests)
else
  DEFAULT_JAR=target/segstream-0.1.0-SNAPSHOT-embedded.jar; BUILD=(./mvnw -B -q -Pembedded package -DskipTests)
fi
JAR=${JAR:-$DEFAULT_JAR}
REBUILD=${REBUILD:-0}
OUT=${OUT:-BENCHMARKS.md}
if [[ -z ${LOG:-} ]]; then
  if [[ $OUT == BENCHMARKS.md || $OUT == "$ROOT/BENCHMARKS.md" ]]; then LOG=$HERE/last-run.log; else LOG=${OUT%.md}.log; fi
fi
HEAP=${HEAP:-2g}
BENCH_DB=${BENCH_DB:-segstream_bench}
PGHOST=${PGHOST:-127.0.0.1}; PGPORT=${PGPORT:-5432}; PGUSER=${PGUSER:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}; REDIS_PORT=${REDIS_PORT:-6379}
REDIS_BENCH_N=${REDIS_BENCH_N:-1000000}
NAIVE_N=${NAIVE_N:-2000}                      # naive SQL: runs per query (as many as the HTTP benchmark) ...
NAIVE_SECONDS=${NAIVE_SECONDS:-120}           # ... but fewer (at least 20) if that would take longer than this
STEP_TIMEOUT=${STEP_TIMEOUT:-3600}            # seconds; a benchmark step still running then is stopped
STEP_IDLE_TIMEOUT=${STEP_IDLE_TIMEOUT:-900}   # seconds; a step that printed nothing for that long is stopped
                                              # (the clients have no request timeout: a lost response hangs them)
KEEP_DATA=${KEEP_DATA:-0}                     # 1: keep the database / Redis data / embedded data folder
export ADMIN_KEY=${ADMIN_KEY:-bench-admin-$RANDOM$RANDOM}
export URL=http://127.0.0.1:$BENCH_PORT

if [[ -z ${JAVA_HOME:-} || ! -x ${JAVA_HOME}/bin/jcmd ]] || ! "${JAVA_HOME}/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
  JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
export JAVA_HOME
export JAVA=$JAVA_HOME/bin/java JCMD=$JAVA_HOME/bin/jcmd   # the clients' scripts read JAVA and JCMD
source load-tests/lib.sh
SVC_OPTS=$(service_jvm_opts "$JAVA")                      # SERVICE_JVM_OPTS overrides (lib.sh)

mkdir -p "$(dirname "$OUT")" "$(dirname "$LOG")"
# Sections measured by other benchmarks (the dashboard's, the authoring ones) follow this line in the
# report; they are carried over unchanged when the report is written again.
KEEP_MARKER='<!-- Sections below are written by other benchmarks and kept when run.sh writes this report again. -->'
KEPT=""
if [[ -f $OUT ]] && grep -qF -- "$KEEP_MARKER" "$OUT"; then
  KEPT=$(awk -v m="$KEEP_MARKER" '$0 == m { keep = 1 } keep' "$OUT")
fi
: > "$LOG"
exec > >(tee -a "$LOG") 2>&1
WORK=$(mktemp -d /tmp/segstream-bench.XXXXXX)
SVC_LOG=$WORK/service.log
SVC_PID=""
STEP_PID=""
TAIL_PID=""
T0=$(date +%s)

say() { printf '\n[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { say "FAILED: $*"; exit 1; }

# ---- clean-up: always stop what this script started -------------------------------------------------
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $STEP_PID ]] && kill -0 "$STEP_PID" 2>/dev/null; then kill -TERM "$STEP_PID" 2>/dev/null; wait "$STEP_PID" 2>/dev/null; fi
  [[ -n $TAIL_PID ]] && kill "$TAIL_PID" 2>/dev/null
  if [[ -n $SVC_PID ]] && kill -0 "$SVC_PID" 2>/dev/null; then
    say "stopping the service (pid $SVC_PID)"
    kill -TERM "$SVC_PID"
    for _ in $(seq 60); do kill -0 "$SVC_PID" 2>/dev/null || break; sleep 0.5; done
    # SIGKILL only as a last resort: in embedded mode it would orphan the embedded servers.
    kill -0 "$SVC_PID" 2>/dev/null && { say "service still running after 30 s: SIGKILL"; kill -KILL "$SVC_PID"; }
  fi
  if [[ $KEEP_DATA != 1 ]]; then
    if [[ $BENCH_EXTERNAL == 1 && ${DB_CREATED:-0} == 1 ]]; then
      psql -X -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" || true
      redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" FLUSHALL >/dev/null || true
      say "dropped database $BENCH_DB and flushed Redis (KEEP_DATA=1 keeps them)"
    fi
  fi
  cp "$SVC_LOG" "${LOG%.log}-service.log" 2>/dev/null
  [[ $KEEP_DATA == 1 ]] && say "work folder kept: $WORK" || rm -rf "$WORK"
  say "raw log: $LOG; service log: ${LOG%.log}-service.log; total $(( $(date +%s) - T0 )) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- preconditions ------------------------------------------------------------------------------------
for tool in curl psql pgbench redis-cli redis-benchmark timeout awk; do
  command -v "$tool" >/dev/null || die "$tool is needed (apt-get install postgresql-client redis-tools)"
done
[[ -x $JAVA ]] || die "no JDK 21+ found: set JAVA_HOME"
[[ $BENCH_DB =~ ^[a-z_][a-z0-9_]*bench[a-z0-9_]*$ ]] || die "BENCH_DB must be a plain name containing 'bench' (it is dropped)"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true      # STREAMS sockets in the client (and the service it starts)
[[ $(ulimit -n) == unlimited || $(ulimit -n) -gt $(( STREAMS + 1000 )) ]] || say "warning: ulimit -n $(ulimit -n) is low for STREAMS=$STREAMS"
if curl -s -o /dev/null --max-time 2 "$URL/"; then die "something already listens on port $BENCH_PORT (set PORT)"; fi

if [[ $REBUILD == 1 || ! -f $JAR ]]; then
  [[ $JAR == "$DEFAULT_JAR" ]] || die "JAR=$JAR does not exist"
  say "building $JAR (${BUILD[*]})"
  "${BUILD[@]}" || die "build failed"
fi
JAR_ABS=$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")

# ---- servers ------------------------------------------------------------------------------------------
# HTTP/2 on beside HTTP/1.1 (h2c on the same port) for the fan-out over h2c; every other client speaks HTTP/1.1.
SVC_ENV=(PORT="$BENCH_PORT" SERVER_PORT="$BENCH_PORT" SEGSTREAM_ADMIN_KEY="$ADMIN_KEY" SERVER_HTTP2_ENABLED=true)
if [[ $BENCH_EXTERNAL == 1 ]]; then
  say "external mode: PostgreSQL $PGHOST:$PGPORT database $BENCH_DB (dropped and created), Redis $REDIS_HOST:$REDIS_PORT (FLUSHALL)"
  psql -X -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -v ON_ERROR_STOP=1 \
       -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB" || die "cannot (re)create $BENCH_DB"
  DB_CREATED=1
  # FLUSHALL wipes every key of this Redis. That is acceptable here because the local Redis 7
  # (loopback only, no persistence) exists for benchmarks and manual production-like runs, never for
  # data anyone keeps (shared/TOOLCHAIN.md "The machine"); and the report's Redis memory figure must
  # be the service's alone. Refuse anything but a loopback Redis; BENCH_EXTERNAL=0 avoids it altogether.
  [[ $REDIS_HOST == 127.* || $REDIS_HOST == localhost || $REDIS_HOST == ::1 ]] || die "refusing to FLUSHALL a non-loopback Redis ($REDIS_HOST)"
  say "Redis had $(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" DBSIZE) keys in db 0 before FLUSHALL"
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" FLUSHALL >/dev/null || die "Redis at $REDIS_HOST:$REDIS_PORT unreachable"
  SVC_ENV+=(SPRING_R2DBC_URL="r2dbc:postgresql://$PGHOST:$PGPORT/$BENCH_DB" SPRING_R2DBC_USERNAME="$PGUSER"
            SPRING_DATA_REDIS_URL="redis://$REDIS_HOST:$REDIS_PORT")
  UNSET=()
else
  say "embedded mode: embedded PostgreSQL and Redis, data in $WORK/data"
  SVC_ENV+=(SEGSTREAM_DATA_DIR="$WORK/data")
  UNSET=(-u SPRING_R2DBC_URL -u SPRING_FLYWAY_URL -u SPRING_DATA_REDIS_URL -u SPRING_DATA_REDIS_HOST -u SPRING_DATA_REDIS_CLUSTER_NODES)
fi

say "starting: java -Xmx$HEAP${SVC_OPTS:+ $SVC_OPTS} -jar $JAR on port $BENCH_PORT (log $SVC_LOG)"
env "${UNSET[@]}" "${SVC_ENV[@]}" "$JAVA" -Xmx"$HEAP" $SVC_OPTS -jar "$JAR_ABS" > "$SVC_LOG" 2>&1 &
SVC_PID=$!
for i in $(seq 600); do
  kill -0 "$SVC_PID" 2>/dev/null || { tail -40 "$SVC_LOG"; SVC_PID=""; die "the service exited during start"; }
  curl -sf --max-time 2 "$URL/actuator/health/readiness" 2>/dev/null | grep -q '"UP"' && break
  [[ $i == 600 ]] && { tail -40 "$SVC_LOG"; die "not ready after 300 s"; }
  sleep 0.5
done
START_S=$(( $(date +%s) - T0 ))
MODE_LINE=$(grep -oE 'segstream ready: .*' "$SVC_LOG" | head -1)
say "ready (pid $SVC_PID): $MODE_LINE"
if [[ $BENCH_EXTERNAL == 1 ]]; then
  PG_H=$PGHOST PG_P=$PGPORT PG_D=$BENCH_DB PG_U=$PGUSER R_H=$REDIS_HOST R_P=$REDIS_PORT
else
  PG_H=127.0.0.1 PG_U=postgres PG_D=postgres R_H=127.0.0.1
  PG_P=$(sed -nE 's/.*PostgreSQL embedded on 127\.0\.0\.1:([0-9]+).*/\1/p' <<<"$MODE_LINE")
  R_P=$(sed -nE 's/.*Redis embedded on 127\.0\.0\.1:([0-9]+).*/\1/p' <<<"$MODE_LINE")
  [[ -n $PG_P && -n $R_P ]] || die "cannot read the embedded servers' ports from the log"
fi
pg() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_H" -p "$PG_P" -U "$PG_U" -d "$PG_D" "$@"; }
rc() { redis-cli -h "$R_H" -p "$R_P" "$@"; }

# ---- machine ------------------------------------------------------------------------------------------
M_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
M_CPU="$(nproc) vCPUs, $(lscpu | sed -nE 's/^Model name: *//p' | head -1)"
M_RAM=$(free -g | awk '/^Mem:/ {print $2 " GiB"}')
M_OS="$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
M_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
M_JAVA=$("$JAVA" -version 2>&1 | sed -n 2p)
M_PG=$(pg -c 'SHOW server_version')
M_PGCONF=$(pg -c "SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings
                   WHERE name IN ('fsync','synchronous_commit','shared_buffers','max_connections','wal_level')")
M_REDIS=$(rc INFO server | tr -d '\r' | sed -nE 's/^redis_version://p')
# read-only git queries (no index refresh) on the checkout the jar was built in
JAR_SRC=$(git --no-optional-locks -C "$(dirname "$JAR_ABS")" rev-parse --show-toplevel 2>/dev/null)
if [[ -n $JAR_SRC ]]; then
  M_GIT="source $JAR_SRC at commit $(git --no-optional-locks -C "$JAR_SRC" rev-parse --short HEAD)"
  [[ -n $(git --no-optional-locks -C "$JAR_SRC" status --porcelain -- src pom.xml 2>/dev/null) ]] && M_GIT+=" with uncommitted changes in src/ or pom.xml"
else
  M_GIT="source unknown (the jar is outside a git checkout)"
fi
M_JAR="$JAR ($(date -u -r "$JAR_ABS" '+built %Y-%m-%d %H:%M UTC'))"

# ---- benchmark steps ----------------------------------------------------------------------------------
declare -A STEP_RC STEP_S STEP_NOTE
run_step() { # name command...: output to $WORK/<name>.out (and the console), bounded by STEP_TIMEOUT and STEP_IDLE_TIMEOUT
  local name=$1; shift
  say "== $name: $* =="
  local t=$(date +%s)
  timeout --kill-after=30 "$STEP_TIMEOUT" "$@" > "$WORK/$name.out" 2>&1 &
  STEP_PID=$!
  tail -n +1 -f --pid="$STEP_PID" "$WORK/$name.out" &
  TAIL_PID=$!
  local size=-1 seen=$t now cur
  while kill -0 "$STEP_PID" 2>/dev/null; do
    sleep 2
    now=$(date +%s); cur=$(stat -c %s "$WORK/$name.out")
    if [[ $cur != "$size" ]]; then size=$cur; seen=$now
    elif (( now - seen > STEP_IDLE_TIMEOUT )); then
      STEP_NOTE[$name]="stopped: no output for $STEP_IDLE_TIMEOUT s"
      say "$name: no output for $STEP_IDLE_TIMEOUT s — stopping it (a client waiting for a response that never comes?)"
      kill -TERM "$STEP_PID" 2>/dev/null; seen=$now
    fi
  done
  wait "$STEP_PID"; STEP_RC[$name]=$?
  [[ ${STEP_RC[$name]} == 124 ]] && STEP_NOTE[$name]="stopped after STEP_TIMEOUT=$STEP_TIMEOUT s"
  wait "$TAIL_PID" 2>/dev/null; TAIL_PID=""; STEP_PID=""
  STEP_S[$name]=$(( $(date +%s) - t ))
  say "$name: exit ${STEP_RC[$name]} after ${STEP_S[$name]} s"
  sleep "${PAUSE:-5}"   # let the projection, checkpoints and GC settle between steps
}
run_step segments   env SERVICE_PID="$SVC_PID" PG_WAL_DSN="host=$PG_H port=$PG_P user=$PG_U dbname=$PG_D" \
                    bash load-tests/segments/bench-segments.sh
run_step changefeed env PID="$SVC_PID" bash load-tests/changefeed/bench-changefeed.sh
run_step streams-ingest env PID="$SVC_PID" JAR="$JAR_ABS" ROUNDS="$STREAMS_INGEST_ROUNDS" INGEST_STREAMS="$INGEST_STREAMS" \
                    bash load-tests/fanout/bench-ingest-streams.sh
run_step queries    bash load-tests/queries/bench-queries.sh
run_step fanout-h2c env PID="$SVC_PID" JAR="$JAR_ABS" STREAMS="$STREAMS" PROTOCOL=h2c bash load-tests/fanout/bench-fanout.sh
run_step fanout-http11 env PID="$SVC_PID" JAR="$JAR_ABS" STREAMS="$STREAMS" PROTOCOL=http11 bash load-tests/fanout/bench-fanout.sh

say "== resources at the end of the client benchmarks =="
"$JCMD" "$SVC_PID" GC.run >/dev/null
HEAP_INFO=$("$JCMD" "$SVC_PID" GC.heap_info)
echo "$HEAP_INFO"
HEAP_USED_K=$(grep -oE 'used [0-9]+K' <<<"$HEAP_INFO" | head -1 | grep -oE '[0-9]+')
SVC_RSS_K=$(ps -o rss= -p "$SVC_PID" | tr -d ' ')
REDIS_MEM=$(rc INFO memory | tr -d '\r' | sed -nE 's/^used_memory_human://p')
REDIS_KEYS=$(rc DBSIZE)
PG_SIZE=$(pg -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
PG_TABLES=$(pg -F ' ' -c "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class
                          WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace
                          ORDER BY pg_total_relation_size(oid) DESC LIMIT 6" | paste -sd ',' | sed 's/,/, /g')
EVENTS_STORED=$(pg -c 'SELECT count(*) FROM events')
CONTACTS_STORED=$(pg -c 'SELECT count(*) FROM contacts')
echo "heap used after full GC: ${HEAP_USED_K} KiB; RSS ${SVC_RSS_K} KiB; Redis used_memory ${REDIS_MEM} (${REDIS_KEYS} keys);" \
     "PostgreSQL database ${PG_SIZE} (${PG_TABLES}); ${EVENTS_STORED} events, ${CONTACTS_STORED} contacts stored"

# (a) raw limits of the parts
# The offset is fixed at the last contact's bit: redis-benchmark's random placeholder (-r, __rand_int__) is
# always zero-padded to 12 digits, which SETBIT rejects ("bit offset is not an integer"). On an allocated
# bitmap a SETBIT costs the same at any offset.
SETBIT_OFFSET=$(( CONTACTS - 1 ))
SETBIT_CMD="redis-benchmark -q -n $REDIS_BENCH_N -P 64 setbit bench:bits $SETBIT_OFFSET 1"
say "== raw limit: $SETBIT_CMD =="
t=$(date +%s)
REDIS_BENCH_OUT=$(redis-benchmark -h "$R_H" -p "$R_P" -q -n "$REDIS_BENCH_N" -P 64 setbit bench:bits "$SETBIT_OFFSET" 1 2>&1 | tr '\r' '\n' | grep -E 'requests per second|rror')
echo "$REDIS_BENCH_OUT"
rc DEL bench:bits >/dev/null
STEP_S[redis-benchmark]=$(( $(date +%s) - t ))
SETBIT_OPS=$(grep -oE '[0-9.]+ requests per second' <<<"$REDIS_BENCH_OUT" | tail -1 | cut -d' ' -f1)

INSERT_ROWS=$EVENTS_STORED; [[ ${INSERT_ROWS:-0} -gt 0 ]] || INSERT_ROWS=$CONTACTS
INSERT_TX=$(( (INSERT_ROWS + 3999) / 4000 ))   # per client: 4 clients, 1,000 rows per transaction
say "== raw limit: PostgreSQL batched insert of $(( INSERT_TX * 4000 )) rows (4 clients, 1,000 rows per INSERT, a copy of the events table) =="
t=$(date +%s)
pg -c 'DROP TABLE IF EXISTS bench_events' -c 'CREATE TABLE bench_events (LIKE events INCLUDING ALL)' \
   -c 'DROP SEQUENCE IF EXISTS bench_events_seq' -c 'CREATE SEQUENCE bench_events_seq'
cat > "$WORK/insert.sql" <<SQL
INSERT INTO bench_events (tenant_id, event_id, contact_id, type, occurred_at, properties)
SELECT 'bench', 'evt-' || nextval('bench_events_seq'), 'c-' || (random() * $CONTACTS)::int, 'review.left',
       now() - random() * interval '60 days',
       jsonb_build_object('rating', 1 + (random() * 4)::int, 'site', CASE WHEN random() < 0.5 THEN 'google' ELSE 'facebook' END)
FROM generate_series(1, 1000);
SQL
i0=$(date +%s%N)
PGBENCH_INSERT=$(pgbench -n -h "$PG_H" -p "$PG_P" -U "$PG_U" -c 4 -j 2 -t "$INSERT_TX" -f "$WORK/insert.sql" "$PG_D" 2>&1)
i1=$(date +%s%N)
echo "$PGBENCH_INSERT" | grep -E 'transactions actually|latency average|tps|rror'
INSERTED=$(pg -c 'SELECT count(*) FROM bench_events')
INSERT_S=$(awk -v a="$i0" -v b="$i1" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
INSERT_RATE=$(awk -v n="$INSERTED" -v a="$i0" -v b="$i1" 'BEGIN {printf "%.0f", n / ((b - a) / 1e9)}')
echo "inserted $INSERTED rows in $INSERT_S s = $INSERT_RATE rows/s"
pg -c 'DROP TABLE bench_events' -c 'DROP SEQUENCE bench_events_seq'
STEP_S[pg-insert]=$(( $(date +%s) - t ))

# (b) the naive alternative: the query benchmark's questions answered by SQL over the same data
QT=$(pg -c "SELECT id FROM tenants WHERE id LIKE 'q-%' ORDER BY created_at DESC LIMIT 1")
pct_file() { # file p -> value (same index rule as QueryBenchmark: p50 = sorted[n/2], p99 = sorted[ceil(.99n)-1])
  sort -n "$1" | awk -v p="$2" '{a[NR] = $1} END {
    if (NR == 0) exit; i = (p == 0.5) ? int(NR / 2) + 1 : int(p * NR); if (i < p * NR) i++; if (i > NR) i = NR; if (i < 1) i = 1;
    printf "%.2f", a[i] / 1000 }'
}
naive() { # name sql -> sets NAIVE_<name>_{N,P50,P99,ANSWER}; latencies per statement from pgbench's log
  local name=$1 sql=$2
  printf '%s\n' "$sql" > "$WORK/naive-$name.sql"
  local answer; answer=$(pg -c "$sql")
  (cd "$WORK" && pgbench -n -h "$PG_H" -p "$PG_P" -U "$PG_U" -c 1 -t 5 -f "naive-$name.sql" -l --log-prefix="warm-$name" "$PG_D" >/dev/null 2>&1)
  local est_us; est_us=$(cat "$WORK"/warm-"$name".* 2>/dev/null | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : 1000)}')
  local n=$(( NAIVE_SECONDS * 1000000 / (est_us > 0 ? est_us : 1) ))
  (( n > NAIVE_N )) && n=$NAIVE_N; (( n < 20 )) && n=20
  echo "naive $name: $n sequential runs (warm-up estimate $(( est_us / 1000 )) ms each)"
  (cd "$WORK" && pgbench -n -h "$PG_H" -p "$PG_P" -U "$PG_U" -c 1 -t "$n" -f "naive-$name.sql" -l --log-prefix="naive-$name" "$PG_D" 2>&1 \
     | grep -E 'latency average|rror')
  cat "$WORK"/naive-"$name".[0-9]* | awk '{print $3}' > "$WORK/naive-$name.us"
  printf -v "NAIVE_${name}_N" '%s' "$(wc -l < "$WORK/naive-$name.us")"
  printf -v "NAIVE_${name}_P50" '%s' "$(pct_file "$WORK/naive-$name.us" 0.5)"
  printf -v "NAIVE_${name}_P99" '%s' "$(pct_file "$WORK/naive-$name.us" 0.99)"
  printf -v "NAIVE_${name}_ANSWER" '%s' "$answer"
  local v50=NAIVE_${name}_P50 v99=NAIVE_${name}_P99
  echo "naive $name: answer $answer; p50=${!v50} ms p99=${!v99} ms"
}
if [[ -n $QT ]]; then
  say "== naive alternative: SQL over tenant $QT's stored profiles and events =="
  t=$(date +%s)
  pg -c 'ANALYZE contacts' -c 'ANALYZE events'
  LYON="c.state -> 'a' -> 'city' ->> 'v' = 'Lyon'"
  naive count "SELECT count(*) FROM contacts c WHERE c.tenant_id = '$QT' AND c.live AND $LYON;"
  naive query "SELECT count(*) FROM contacts c WHERE c.tenant_id = '$QT' AND c.live AND $LYON
  AND (c.state -> 'tg' -> 't1' ->> 'v' = 'true' OR c.state -> 'au' -> 'a2' ->> 'v' = 'true')
  AND NOT EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = c.tenant_id AND e.contact_id = c.contact_id AND e.type = 'review.left')
  AND coalesce(c.state -> 'ch' -> 'email' ->> 'v', 'true') <> 'false';"
  STEP_S[naive-sql]=$(( $(date +%s) - t ))
else
  say "naive alternative skipped: the query benchmark created no tenant"
fi

n() { # 1234567.8 -> 1,234,568; anything not a number is printed as is
  [[ -z ${1:-} ]] && { echo "—"; return; }
  [[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || { echo "$1"; return; }
  LC_ALL=C awk -v x="$1" 'BEGIN { s = sprintf("%.0f", x < 0 ? -x : x); o = "";
      while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
      print (x < 0 ? "-" : "") s o }'
}
val() { [[ -n ${1:-} ]] && echo "$1${2:-}" || echo "—"; }
verdict() { # value op target [scale-ok]
  [[ -z ${1:-} ]] && { echo "not measured"; return; }
  local ok; ok=$(awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {print ((op == ">=" ? v >= t : v <= t) ? "met" : "not met")}')
  [[ ${4:-1} == 1 ]] && echo "**$ok**" || echo "$ok at this scale (target is at 1,000,000 contacts)"
}
ratio() { [[ -n ${1:-} && -n ${2:-} ]] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf (a / b >= 10 ? "%.0f" : "%.2f"), a / b }' || echo "—"; }

# ---- figures from the outputs -------------------------------------------------------------------------
SEG=$WORK/segments.out CF=$WORK/changefeed.out QB=$WORK/queries.out SI=$WORK/streams-ingest.out
median() { sort -n | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'; }
rates_for() { grep -E "^round [0-9]+, +$1 segments:" "$SEG" | grep -oE 'rate=[0-9]+' | cut -d= -f2; }
R0=$(for r in $(rates_for 0); do n "$r"; done | paste -sd/ | sed 's#/# / #g')
R10=$(for r in $(rates_for 10); do n "$r"; done | paste -sd/ | sed 's#/# / #g')
R0_MED=$(rates_for 0 | median); R10_MED=$(rates_for 10 | median)
cpu_for() { grep -E "^round [0-9]+, +$1 segments:" "$SEG" | grep -oE "$2=[0-9.]+" | cut -d= -f2 | median; }
CPU_ROW=""
for k in 0 10; do
  CPU_ROW+="| CPU time per accepted event, $k segments (median of the rounds; user + system from /proc) | service $(val "$(cpu_for "$k" service)" " µs"), PostgreSQL $(val "$(cpu_for "$k" postgres)" " µs"), Redis $(val "$(cpu_for "$k" redis)" " µs"); PostgreSQL WAL $(val "$(cpu_for "$k" wal_bytes)" " bytes") |"$'\n'
done
BF_LOAD=$(sed -n '/== backfill/,$p' "$SEG" | grep -oE 'rate=[0-9]+' | head -1 | cut -d= -f2)
BF_MS=$(grep -oE 'over [0-9]+ contacts: [0-9]+ ms until live' "$SEG" | grep -oE '[0-9]+ ms' | grep -oE '[0-9]+')
BF_S=$([[ -n $BF_MS ]] && awk -v m="$BF_MS" 'BEGIN {printf "%.1f", m / 1000}')
BF_COUNT=$(grep -E 'until live' "$SEG" | grep -oE '"count":[0-9]+' | cut -d: -f2)
# change feed: one block per rate
CF_ROWS=$(awk '
  /^latency: target/ { r = $3; split($0, x, "received "); split(x[2], y, " changes in "); rec[r] = y[1];
                       split(y[2], z, " s"); el[r] = z[1]; split($0, f, "failed requests "); fail[r] = f[2]; order[++n] = r }
  /^ingest request start -> SSE delivery ms:/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] != "") v[kv[1]] = kv[2] }
                       p50[r] = v["p50"]; p99[r] = v["p99"]; mx[r] = v["max"] }
  END { for (i = 1; i <= n; i++) { r = order[i]; print r "|" rec[r] "|" el[r] "|" fail[r] "|" p50[r] "|" p99[r] "|" mx[r] } }' "$CF")
cf_field() { awk -F'|' -v r="$1" -v f="$2" '$1 == r {print $f}' <<<"$CF_ROWS"; }
STREAMS_CONN=$(grep -oE '^streams: [0-9]+ of [0-9]+ connected in [0-9.]+ s' "$CF")
HEAP_LINE=$(grep -E '^service heap used:' "$CF")
PER_STREAM=$(grep -oE '[-0-9]+ bytes per stream' <<<"$HEAP_LINE" | grep -oE '^[-0-9]+')
FANOUT=$(grep -oE '^one change reached [0-9]+ of [0-9]+ streams in [0-9]+ ms' "$CF")
# one change to as many streams over h2c (100 per connection, the selector reader): the median of the repetitions
fanout_figures() { # prefix file: <prefix>_LINE, _MS (empty unless every repetition reached every stream), _RANGE, _CPU, _CONN
  local line incomplete
  line=$(grep -oE '^one change to [0-9]+ streams: median [0-9]+ ms over [0-9]+ repetitions \(min [0-9]+, max [0-9]+\)' "$2" 2>/dev/null)
  incomplete=$(grep -c 'INCOMPLETE' "$2" 2>/dev/null || true)
  printf -v "$1_LINE" '%s' "$line"
  printf -v "$1_MS" '%s' "$( [[ ${incomplete:-0} == 0 ]] && grep -oE 'median [0-9]+ ms' <<<"$line" | grep -oE '[0-9]+')"
  printf -v "$1_RANGE" '%s' "$(grep -oE '\(min [0-9]+, max [0-9]+\)' <<<"$line" | tr -d '()')"
  printf -v "$1_CPU" '%s' "$(grep -oE 'service CPU median [0-9]+ ms \([0-9.]+ us per stream\)' "$2" 2>/dev/null | sed 's/us per/µs per/')"
  printf -v "$1_CONN" '%s' "$(grep -oE '^streams: [0-9]+ of [0-9]+ connected in [0-9.]+ s' "$2" 2>/dev/null)"
}
fanout_figures FH "$WORK/fanout-h2c.out"      # h2c, 100 streams per connection, the selector reader
fanout_figures FL "$WORK/fanout-http11.out"   # HTTP/1.1, a connection per stream, the selector reader
# streams open while 200 clients ingest: 503 answers over every round, and the changes delivered
SI_ROUNDS=$(grep -c '^ingest: ' "$SI" 2>/dev/null || true)
SI_503=$(grep -oE '503s: [0-9]+' "$SI" 2>/dev/null | awk '{s += $2} END {if (NR) print s}')
SI_REQS=$(grep -oE '^ingest: [0-9]+ clients x [0-9]+ requests' "$SI" 2>/dev/null | awk '{s += $2 * $5} END {if (NR) print s}')
SI_DELIVERED=$(grep -oE '^delivered: [0-9]+ of [0-9]+' "$SI" 2>/dev/null | awk '{g += $2; e += $4} END {if (NR) print g " of " e}')
[[ $(awk '{print ($1 == $3)}' <<<"${SI_DELIVERED:-x y z}") == 1 ]] && SI_ALL=1 || SI_ALL=0
Q_LOAD=$(grep -oE 'rate=[0-9]+' "$QB" | head -1 | cut -d= -f2)
qfield() { grep -E "^$1: n=" "$QB" | grep -oE "$2=[0-9.]+" | cut -d= -f2; }
F50=$(qfield 'floor \(liveness\)' p50); F99=$(qfield 'floor \(liveness\)' p99)
FLOOR_ROW=""
[[ -n $F50 ]] && FLOOR_ROW="| the floor of client, server and machine: \`GET /actuator/health/liveness\`, p50 / p99 | $F50 ms / $F99 ms |"$'\n'
# Verdicts use the blocking-socket client (the lighter of the two on the shared cores); the JDK
# HttpClient's figures are shown beside them.
C_N=$(qfield 'count \(socket client\)' n); C50=$(qfield 'count \(socket client\)' p50); C99=$(qfield 'count \(socket client\)' p99)
Q_N=$(qfield '3-operand query \(socket client\)' n); Q50=$(qfield '3-operand query \(socket client\)' p50); Q99=$(qfield '3-operand query \(socket client\)' p99)
JC50=$(qfield 'count \(JDK client\)' p50); JC99=$(qfield 'count \(JDK client\)' p99)
JQ50=$(qfield '3-operand query \(JDK client\)' p50); JQ99=$(qfield '3-operand query \(JDK client\)' p99)
C_ANSWER=$(grep -E '^count \(socket client\): n=' "$QB" | grep -oE '"count":[0-9]+' | cut -d: -f2)
Q_ANSWER=$(grep -E '^3-operand query \(socket client\): n=' "$QB" | grep -oE '"count":[0-9]+' | cut -d: -f2)
EXPORT=$(grep -oE '^export: [0-9]+ ids in [0-9.]+ s = [0-9]+ ids/s' "$QB")
EXPORT_RATE=$(grep -oE '[0-9]+ ids/s' <<<"$EXPORT" | grep -oE '[0-9]+')

# ---- report -------------------------------------------------------------------------------------------
FULL=$([[ $CONTACTS == 1000000 ]] && echo 1 || echo 0)
SSE_RATE=5000; has5000=0; for r in $RATES; do [[ $r == 5000 ]] && has5000=1; done
SSE5_P50=$(cf_field 5000 5); SSE5_P99=$(cf_field 5000 6)
DUR=$(( $(date +%s) - T0 ))
SVC_WARN=$(grep -c ' WARN ' "$SVC_LOG"); SVC_ERROR=$(grep -c ' ERROR ' "$SVC_LOG")
SEG_SEGMENTS=$(wc -l < load-tests/segments/ten-segments.ndjson | tr -d ' ')

{
cat <<EOF
# segstream benchmarks

Generated by \`$HERE/run.sh\` on $M_DATE in $(( DUR / 60 )) min $(( DUR % 60 )) s. Every figure below comes from
this one run; the raw output is in \`$LOG\` and in the collapsed sections at the end.
EOF
awk -v l="${M_LOAD%% *}" -v c="$(nproc)" 'BEGIN {exit !(l > c / 2)}' &&
  printf '\n> **Busy machine:** the load average was %s at the start on %s cores — other work competed with this run.\n' "$M_LOAD" "$(nproc)"
[[ $FULL == 1 ]] || printf '\n> **Reduced-scale run** (CONTACTS=%s, RATES=%s, STREAMS=%s): the targets are defined at 1,000,000\n> contacts and 5,000 events/s, so verdicts below are indicative only.\n' "$(n "$CONTACTS")" "$RATES" "$(n "$STREAMS")"
cat <<EOF

Command (from the repository root):

\`\`\`sh
$INVOKED
\`\`\`

## Machine and setup

| | |
| --- | --- |
| date | $M_DATE |
| CPU | $M_CPU (load average at start: $M_LOAD) — shared by the service, PostgreSQL, Redis and the load clients |
| memory | $M_RAM |
| OS | $M_OS |
| Java | $M_JAVA; service \`java -Xmx$HEAP${SVC_OPTS:+ $SVC_OPTS} -jar\`, clients \`java File.java\` on the same JDK |
| PostgreSQL | $M_PG ($([[ $BENCH_EXTERNAL == 1 ]] && echo "the local server, database \`$BENCH_DB\` created fresh" || echo "embedded")); $M_PGCONF |
| Redis | $M_REDIS ($([[ $BENCH_EXTERNAL == 1 ]] && echo "the local server, flushed first" || echo "embedded")) |
| service | $M_JAR, $M_GIT; $MODE_LINE; service log: $SVC_WARN WARN and $SVC_ERROR ERROR lines (kept as \`${LOG%.log}-service.log\`) |
| scale | CONTACTS=$(n "$CONTACTS"), EVENTS=$(n "$EVENTS") per ingest round, RATES=$RATES × ${SECONDS_PER_RATE} s (each after ${WARMUP} s of warm-up), STREAMS=$(n "$STREAMS") |

## Against the targets

| what | measured | target | verdict |
| --- | --- | --- | --- |
| sustained ingest with $SEG_SEGMENTS live segments (median of 3 rounds of $(n "$EVENTS") events, 1,000 per request, 4 clients) | $(n "$R10_MED") events/s | ≥ 20,000 events/s | $(verdict "$R10_MED" ">=" 20000) |
| ingest request → SSE delivery at 5,000 events/s, p50 / p99 | $( [[ $has5000 == 1 ]] && echo "$(val "$SSE5_P50" " ms") / $(val "$SSE5_P99" " ms")" || echo "not run (RATES=$RATES)") | p99 ≤ 50 ms | $( [[ $has5000 == 1 ]] && verdict "$SSE5_P99" "<=" 50 || echo "not measured") |
| \`GET /v1/segments/lyon/count\`, p50 / p99 over $(n "$C_N") sequential requests, socket client (JDK HttpClient) | $(val "$C50" " ms") / $(val "$C99" " ms") ($(val "$JC50" " ms") / $(val "$JC99" " ms")) | p99 ≤ 2 ms | $(verdict "$C99" "<=" 2 "$FULL") |
| \`POST /v1/query\` all + any(2) + none + channel, p50 / p99, socket client (JDK HttpClient) | $(val "$Q50" " ms") / $(val "$Q99" " ms") ($(val "$JQ50" " ms") / $(val "$JQ99" " ms")) | p99 ≤ 5 ms | $(verdict "$Q99" "<=" 5 "$FULL") |
| NDJSON export of the segment's $(n "$(grep -oE '^export: [0-9]+' <<<"$EXPORT" | grep -oE '[0-9]+')") members | $(n "$EXPORT_RATE") ids/s | ≥ 500,000 ids/s | $(verdict "$EXPORT_RATE" ">=" 500000 "$FULL") |
| backfill: one new segment over $(n "$CONTACTS") contacts until \`live\` ($(n "$BF_COUNT") members) | $(val "$BF_S" " s") | ≤ 30 s | $(verdict "$BF_S" "<=" 30 "$FULL") |
| one change to $(n "$STREAMS") open SSE streams over HTTP/2 (h2c, 100 streams per connection), from the ingest request until the last stream has it, median of 7 | $(val "$FH_MS" " ms")${FH_RANGE:+ ($FH_RANGE)} | ≤ 100 ms | $( [[ $STREAMS == 10000 ]] && verdict "$FH_MS" "<=" 100 || echo "not measured at 10,000 streams") |
| the same over HTTP/1.1, one connection per stream, median of 7 | $(val "$FL_MS" " ms")${FL_RANGE:+ ($FL_RANGE)} | ≤ 100 ms | $( [[ $STREAMS == 10000 ]] && verdict "$FL_MS" "<=" 100 || echo "not measured at 10,000 streams") |
| $(n "$INGEST_STREAMS") open streams while 200 clients ingest at once ($SI_ROUNDS rounds), 503 answers | $( [[ -n $SI_503 ]] && echo "$(n "$SI_503") of $(n "$SI_REQS") requests; changes × streams delivered $(n "${SI_DELIVERED%% *}") of $(n "${SI_DELIVERED##* }")" || echo "—") | no 503, every change delivered | $( [[ -z $SI_503 ]] && echo "not measured" || { (( INGEST_STREAMS < 2000 )) && echo "not measured at 2,000 streams" || { [[ $SI_503 == 0 && $SI_ALL == 1 ]] && echo "**met**" || echo "**not met**"; }; }) |

## All figures

| what | measured |
| --- | --- |
| ingest, no segments, rounds 1 / 2 / 3 (round 1 on a cold JVM) | $R0 events/s (median $(n "$R0_MED")) |
| ingest, $SEG_SEGMENTS live segments, rounds 1 / 2 / 3 | $R10 events/s (median $(n "$R10_MED"); ratio to no segments $(ratio "$R10_MED" "$R0_MED")) |
${CPU_ROW}| bulk load of $(n "$CONTACTS") new contacts, one event each (backfill tenant / query tenant) | $(n "$BF_LOAD") / $(n "$Q_LOAD") events/s |
| backfill of \`happy-lyon\` (city eq Lyon or a review ≥ 4 within 90d) | $(n "$BF_MS") ms, $(n "$BF_COUNT") members |
EOF
for r in $RATES; do
  rec=$(cf_field "$r" 2)
  if [[ -n $rec ]]; then
    echo "| ingest request → SSE delivery at $(n "$r") events/s for ${SECONDS_PER_RATE} s (after ${WARMUP} s at that rate, not counted): p50 / p99 / max | $(val "$(cf_field "$r" 5)" " ms") / $(val "$(cf_field "$r" 6)" " ms") / $(val "$(cf_field "$r" 7)" " ms"); received $rec changes in $(cf_field "$r" 3) s, $(cf_field "$r" 4) failed requests |"
  else
    echo "| ingest request → SSE delivery at $(n "$r") events/s | failed (see the change-feed log) |"
  fi
done
cat <<EOF
| $(n "$STREAMS") concurrent SSE streams over HTTP/1.1, read by the JDK HttpClient (\`load-tests/changefeed/bench-changefeed.sh\`) | $(val "$STREAMS_CONN"); $(val "${HEAP_LINE#service heap used: }"); $(val "$FANOUT") |
| $(n "$STREAMS") concurrent SSE streams over HTTP/1.1, read by one selector thread (\`load-tests/fanout/bench-fanout.sh\`) | $(val "$FL_CONN"); one change to all of them: $(val "${FL_LINE#one change to * streams: }"); $(val "$FL_CPU") |
| $(n "$STREAMS") concurrent SSE streams over h2c, 100 per connection, read by one selector thread (\`load-tests/fanout/bench-fanout.sh\`) | $(val "$FH_CONN"); one change to all of them: $(val "${FH_LINE#one change to * streams: }"); $(val "$FH_CPU") |
| service heap used after a full GC, at the end | $(n "$HEAP_USED_K") KiB (RSS $(n "$SVC_RSS_K") KiB, -Xmx$HEAP) |
| Redis memory at the end (\`used_memory_human\`) | $(val "$REDIS_MEM") ($(n "$REDIS_KEYS") keys) |
| PostgreSQL database size at the end | $(val "$PG_SIZE") — largest tables: $PG_TABLES |
${FLOOR_ROW}| stored at the end | $(n "$EVENTS_STORED") events, $(n "$CONTACTS_STORED") contacts |

## Comparisons (same run, same servers)

Raw limits of the parts, for scale against the service's ingest rate with segments ($(n "$R10_MED") events/s):

| part | measured | the part's rate / the service's ingest rate |
| --- | --- | --- |
| Redis: \`$SETBIT_CMD\` (50 connections, 64 commands per round trip) | $(n "$SETBIT_OPS") SETBIT/s | $(ratio "$SETBIT_OPS" "$R10_MED")× |
| PostgreSQL: batched insert into a copy of \`events\` (same columns and indexes), 1,000 rows per \`INSERT … SELECT generate_series\`, one transaction each, 4 clients (pgbench), $(n "$INSERTED") rows (the run's $(n "$EVENTS_STORED") stored events, rounded up to 4,000) | $(n "$INSERT_RATE") rows/s ($INSERT_S s) | $(ratio "$INSERT_RATE" "$R10_MED")× |

The naive alternative — the query benchmark's questions answered by SQL over the same stored data
(tenant \`$QT\`; \`contacts.state\` json, and \`events\` for "never left a review"), no index beyond the
schema's, timed like the HTTP requests (sequential, one connection, pgbench per-statement latencies
at the client):

| question | service over HTTP (Redis bitmaps): p50 / p99, answer | SQL: p50 / p99 (runs), answer |
| --- | --- | --- |
| count of segment \`lyon\` (city eq Lyon) | $(val "$C50" " ms") / $(val "$C99" " ms"), $(val "$C_ANSWER") | $(val "${NAIVE_count_P50:-}" " ms") / $(val "${NAIVE_count_P99:-}" " ms") ($(val "${NAIVE_count_N:-}")), $(val "${NAIVE_count_ANSWER:-}") |
| 3-operand query (lyon, and t1 or a2, and not a reviewer, subscribed to email) | $(val "$Q50" " ms") / $(val "$Q99" " ms"), $(val "$Q_ANSWER") | $(val "${NAIVE_query_P50:-}" " ms") / $(val "${NAIVE_query_P99:-}" " ms") ($(val "${NAIVE_query_N:-}")), $(val "${NAIVE_query_ANSWER:-}") |

## Steps

| step | exit | seconds |
| --- | --- | --- |
| build (if needed) and start until ready | 0 | $START_S |
EOF
for s in segments changefeed queries; do echo "| \`load-tests/$s/bench-$s.sh\` | ${STEP_RC[$s]:-—}${STEP_NOTE[$s]:+ (${STEP_NOTE[$s]})} | ${STEP_S[$s]:-—} |"; done
s=streams-ingest; echo "| \`load-tests/fanout/bench-ingest-streams.sh\` | ${STEP_RC[$s]:-—}${STEP_NOTE[$s]:+ (${STEP_NOTE[$s]})} | ${STEP_S[$s]:-—} |"
for p in h2c http11; do s=fanout-$p; echo "| \`PROTOCOL=$p load-tests/fanout/bench-fanout.sh\` | ${STEP_RC[$s]:-—}${STEP_NOTE[$s]:+ (${STEP_NOTE[$s]})} | ${STEP_S[$s]:-—} |"; done
for s in redis-benchmark pg-insert naive-sql; do echo "| $s | | ${STEP_S[$s]:-—} |"; done
echo
echo "A non-zero exit means that client reported a failure (for example not every event accepted, or a rate not"
echo "sustained, or the step was stopped); its figures above are what it printed before."
echo
echo "## Raw output"
for s in segments changefeed streams-ingest queries fanout-h2c fanout-http11; do
  case $s in streams-ingest) name=bench-ingest-streams.sh ;; fanout-*) name="bench-fanout.sh (${s#fanout-})" ;; *) name=bench-$s.sh ;; esac
  printf '\n<details><summary>%s</summary>\n\n```text\n' "$name"
  cat "$WORK/$s.out" 2>/dev/null
  printf '```\n\n</details>\n'
done
printf '\n<details><summary>resources and comparisons</summary>\n\n```text\n'
echo "$HEAP_INFO"
echo "Redis used_memory_human: $REDIS_MEM, keys: $REDIS_KEYS; PostgreSQL: $PG_SIZE ($PG_TABLES)"
echo "$REDIS_BENCH_OUT"
echo "$PGBENCH_INSERT"
echo "inserted $INSERTED rows in $INSERT_S s"
for q in count query; do [[ -f $WORK/naive-$q.sql ]] && { echo "-- naive $q:"; cat "$WORK/naive-$q.sql"; }; done
printf '```\n\n</details>\n'
if [[ -n $KEPT ]]; then printf '\n%s\n' "$KEPT"; fi
} > "$OUT"
say "report written to $OUT"
