#!/usr/bin/env bash
# Segment benchmarks against a running segstream (see README "Performance"):
#  1. ingest rate into a tenant without segments vs one with the 10 live segments of ten-segments.ndjson,
#     same data (same seeds), alternating, three rounds each, with the CPU time each round cost the
#     service (SERVICE_PID, when given), PostgreSQL and Redis per accepted event;
#  2. backfill: loads CONTACTS contacts into a fresh tenant, then creates one segment and reports how long
#     its build took (from the service's log line "Segment ... built in N ms", read via the API status).
# Usage: ADMIN_KEY=admin-key URL=http://127.0.0.1:8080 CONTACTS=1000000 load-tests/segments/bench-segments.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
URL=${URL:-http://127.0.0.1:8080}
ADMIN_KEY=${ADMIN_KEY:-admin-key}
CONTACTS=${CONTACTS:-1000000}
EVENTS=${EVENTS:-100000}
JAVA=${JAVA:-java}
run=$(date +%s)

source load-tests/lib.sh

# CPU time (user + system, in clock ticks) of the service, of PostgreSQL (every live postgres process plus
# what the postmaster collected from backends that exited) and of Redis; read from /proc on Linux.
TICK=$(getconf CLK_TCK)
proc_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
child_ticks() { awk '{ sub(/^.*\) /, ""); print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_of() { # service|postgres|redis -> ticks
  local t=0 p
  case $1 in
    service) [[ -n ${SERVICE_PID:-} ]] && t=$(proc_ticks "$SERVICE_PID") ;;
    postgres)
      for p in $(pgrep -x postgres || true); do t=$((t + $(proc_ticks "$p"))); done
      for p in $(pgrep -x postgres -o || true); do t=$((t + $(child_ticks "$p"))); done ;;
    redis) for p in $(pgrep redis-server || true); do t=$((t + $(proc_ticks "$p"))); done ;;
  esac
  echo "$t"
}
# WAL bytes PostgreSQL wrote (PG_WAL_DSN: a libpq connection string; the whole server's WAL, so a quiet one).
wal_lsn() { [[ -n ${PG_WAL_DSN:-} ]] && psql -X -At "$PG_WAL_DSN" -c "SELECT pg_current_wal_lsn() - '0/0'" 2>/dev/null | cut -d. -f1 || echo 0; }
per_event() { awk -v t="$1" -v hz="$TICK" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", t * 1e6 / hz / n; else print "n/a" }'; }

echo "== ingest: 0 vs 10 live segments, $EVENTS events, batch 1000, 4 clients =="
KEY0=$(tenant "bench-plain-$run" Europe/Paris)
KEY10=$(tenant "bench-seg-$run" Europe/Paris)
while read -r seg; do
  segment "$KEY10" "$seg"
done < load-tests/segments/ten-segments.ndjson
for id in $(sed -E 's/^\{"id":"([^"]+)".*/\1/' load-tests/segments/ten-segments.ndjson); do await_live "$KEY10" "$id" >/dev/null; done
for round in 1 2 3; do
  for k in 0 10; do
    key=KEY$k
    printf 'round %s, %2s segments: ' "$round" "$k"
    s0=$(cpu_of service) p0=$(cpu_of postgres) r0=$(cpu_of redis) w0=$(wal_lsn)
    out=$($JAVA load-tests/ingest/IngestBenchmark.java --url "$URL" --key "${!key}" --events "$EVENTS" --batch 1000 \
          --clients 4 --contacts 20000 --seed "$round" | grep rate)
    s1=$(cpu_of service) p1=$(cpu_of postgres) r1=$(cpu_of redis) w1=$(wal_lsn)
    accepted=$(grep -oE 'accepted=[0-9]+' <<<"$out" | cut -d= -f2)
    printf '%s cpu_us_per_event service=%s postgres=%s redis=%s wal_bytes=%s\n' "$out" \
      "$([[ -n ${SERVICE_PID:-} ]] && per_event $((s1 - s0)) "$accepted" || echo n/a)" \
      "$(per_event $((p1 - p0)) "$accepted")" "$(per_event $((r1 - r0)) "$accepted")" \
      "$([[ -n ${PG_WAL_DSN:-} ]] && awk -v b=$((w1 - w0)) -v n="$accepted" 'BEGIN { printf "%.0f", (n > 0 ? b / n : 0) }' || echo n/a)"
  done
done

echo "== backfill: one new segment over $CONTACTS contacts =="
KEYB=$(tenant "bench-backfill-$run" Europe/Paris)
$JAVA load-tests/ingest/IngestBenchmark.java --url "$URL" --key "$KEYB" --events "$CONTACTS" --batch 1000 \
      --clients 4 --contacts "$CONTACTS" --seed 7 --distinct true | grep rate
segment "$KEYB" '{"id":"happy-lyon","name":"Happy reviewers in Lyon","rule":{"or":[{"attribute":"city","op":"eq","value":"Lyon"},{"event":"review.left","where":[{"property":"rating","op":"gte","value":4}],"within":"90d"}]}}'
ms=$(await_live "$KEYB" happy-lyon)
count=$(curl -sf "$URL/v1/segments/happy-lyon/count" -H "Authorization: Bearer $KEYB")
echo "backfill of happy-lyon over $CONTACTS contacts: ${ms} ms until live; $count"
