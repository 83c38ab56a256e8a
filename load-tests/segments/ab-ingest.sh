#!/usr/bin/env bash
# Ingest with the 10 live segments of ten-segments.ndjson: ROUNDS (default 4) rounds of 100,000 events (1,000 per
# request, 4 clients) against the local PostgreSQL (a fresh database segstream_ab_<label>) and Redis (db 10/11,
# flushed), reporting per round the rate and the CPU time per accepted event of the service, of PostgreSQL (the
# server on PGPORT: its postmaster and every backend, including those that exited) and of Redis, and the WAL bytes
# per event (the whole server's WAL, so a quiet server). All read from /proc and pg_current_wal_lsn().
#
# One build:   load-tests/segments/ab-ingest.sh new target/segstream-0.1.0-SNAPSHOT.jar 8099
# Two builds:  load-tests/segments/ab-ingest.sh old /tmp/old.jar 8098 new target/segstream-0.1.0-SNAPSHOT.jar 8099
#   Both services run side by side; the rounds alternate (old 1, new 1, old 2, ...), the idle one costing
#   next to nothing, so that a change of the machine's load hits both alike. Compare medians within one run.
# HEAP=1 prints each service's heap in use after a full GC once the rounds are done (jcmd GC.run, GC.heap_info).
# DB_OPTS_<label> adds options to the CREATE DATABASE of one build (e.g. TEMPLATE template0 LC_COLLATE 'C').
# JAVA_OPTS_<label> adds JVM options to one build (e.g. JFR: -XX:StartFlightRecording=filename=/tmp/x.jfr); every
# build also gets service_jvm_opts of load-tests/lib.sh (SERVICE_JVM_OPTS="" for none).
set -uo pipefail
J=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
PGPORT=${PGPORT:-5432}
ROUNDS=${ROUNDS:-4}
EVENTS=${EVENTS:-100000}
cd "$(dirname "$0")/../.."
source load-tests/lib.sh
SVC_OPTS=$(service_jvm_opts "$J")
psql_() { psql -X -q -At -h 127.0.0.1 -p "$PGPORT" -U postgres "$@"; }

TICK=$(getconf CLK_TCK)
stat_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 + ('"${2:-0}"' ? $14 + $15 : 0) }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_master=$(head -1 "$(psql_ -d postgres -c 'SHOW data_directory')/postmaster.pid")
pg_ticks() { # the postmaster, its live children, and what it collected from children that exited
  local t p
  t=$(stat_ticks "$pg_master" 1)
  for p in $(ps -o pid= --ppid "$pg_master"); do t=$((t + $(stat_ticks "$p"))); done
  echo "$t"
}
redis_pid=$(redis-cli INFO server | tr -d '\r' | sed -n 's/^process_id://p')
wal() { psql_ -d postgres -c "SELECT (pg_current_wal_lsn() - '0/0')::bigint"; }
per() { awk -v t="$1" -v hz="$TICK" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "n/a" }'; }

labels=() pids=() keys=() urls=()
n=0
while (($# >= 3)); do
  label=$1 jar=$(realpath "$2") port=$3
  shift 3
  db=segstream_ab_$label
  db_opts_var=DB_OPTS_$label
  psql_ -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db ${!db_opts_var:-}" 2>/dev/null
  redis-cli -n $((10 + n)) FLUSHDB >/dev/null
  opts_var=JAVA_OPTS_$label
  SPRING_R2DBC_URL=r2dbc:postgresql://127.0.0.1:$PGPORT/$db SPRING_R2DBC_USERNAME=postgres \
    SPRING_DATA_REDIS_URL=redis://127.0.0.1:6379/$((10 + n)) SEGSTREAM_ADMIN_KEY=ab-admin PORT=$port SERVER_PORT=$port \
    $J -Xmx2g $SVC_OPTS ${!opts_var:-} -jar "$jar" > /tmp/ab-$label.log 2>&1 &
  labels+=("$label") pids+=($!) urls+=("http://127.0.0.1:$port")
  n=$((n + 1))
done
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait' EXIT
export ADMIN_KEY=ab-admin
for i in "${!labels[@]}"; do
  for s in $(seq 1 120); do grep -q "segstream ready" "/tmp/ab-${labels[$i]}.log" && break; sleep 1; done
  URL=${urls[$i]}
  K=$(tenant "ab-${labels[$i]}" Europe/Paris)
  while read -r seg; do segment "$K" "$seg"; done < load-tests/segments/ten-segments.ndjson
  for id in $(sed -E 's/^\{"id":"([^"]+)".*/\1/' load-tests/segments/ten-segments.ndjson); do await_live "$K" "$id" >/dev/null; done
  keys+=("$K")
done
for r in $(seq 1 "$ROUNDS"); do
  for i in "${!labels[@]}"; do
    pid=${pids[$i]}
    s0=$(stat_ticks "$pid") p0=$(pg_ticks) r0=$(stat_ticks "$redis_pid") w0=$(wal)
    out=$($J load-tests/ingest/IngestBenchmark.java --url "${urls[$i]}" --key "${keys[$i]}" --events "$EVENTS" --batch 1000 \
          --clients 4 --contacts 20000 --seed "$r" | grep rate)
    s1=$(stat_ticks "$pid") p1=$(pg_ticks) r1=$(stat_ticks "$redis_pid") w1=$(wal)
    acc=$(grep -oE 'accepted=[0-9]+' <<<"$out" | cut -d= -f2)
    rate=$(grep -oE 'rate=[0-9]+' <<<"$out" | cut -d= -f2)
    echo "${labels[$i]} round $r: rate=$rate accepted=$acc us_per_event service=$(per $((s1 - s0)) "$acc")" \
      "postgres=$(per $((p1 - p0)) "$acc") redis=$(per $((r1 - r0)) "$acc")" \
      "wal_bytes_per_event=$(awk -v b=$((w1 - w0)) -v n="$acc" 'BEGIN { printf "%.0f", (n > 0 ? b / n : 0) }')" \
      "load=$(cut -d' ' -f1 /proc/loadavg)"
  done
done
if [[ ${HEAP:-0} == 1 ]]; then
  JCMD=${JCMD:-$(dirname "$J")/jcmd}
  for i in "${!labels[@]}"; do
    "$JCMD" "${pids[$i]}" GC.run >/dev/null
    echo "${labels[$i]} heap after full GC: $("$JCMD" "${pids[$i]}" GC.heap_info | grep -oE 'used [0-9]+K' | head -1)"
  done
fi
