#!/usr/bin/env bash
# Authoring benchmarks (BENCHMARKS.md, "Authoring: preview and segments with aggregates/recency"):
#  1. ingest rate with 10 live segments of which 3 use aggregates or recency
#     (load-tests/authoring/ten-segments-aggregates.ndjson) against the 10 segments of
#     load-tests/segments/ten-segments.ndjson: two tenants, same events (same seeds, 10% of them
#     purchase.made with an amount), alternating, ROUNDS rounds of EVENTS events each;
#  2. POST /v1/segments/preview latency at CONTACTS contacts (loaded as load-tests/queries/bench-queries.sh
#     does, plus EXTRA events over the same contacts so that some have several), N sequential requests
#     after WARMUP, for a bitmap-only rule, a sampled attribute+event rule and the seed's example as
#     ruleText; then (TRUTH=1) the true counts of the two sampled rules, by saving them as segments.
# Starts the service from this checkout's jar against the local PostgreSQL (database BENCH_DB, created
# fresh and dropped at the end) and Redis (FLUSHALL first: the local Redis is a benchmark server), and
# stops it on exit.
#   load-tests/authoring/bench-authoring.sh                         # 1,000,000 contacts
#   CONTACTS=100000 N=50 EVENTS=20000 load-tests/authoring/bench-authoring.sh
#   PARTS=preview load-tests/authoring/bench-authoring.sh          # one part only
set -uo pipefail
cd "$(dirname "$0")/../.."

export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
PORT=${PORT:-8095}
export URL=http://127.0.0.1:$PORT
export ADMIN_KEY=${ADMIN_KEY:-admin-key}
BENCH_DB=${BENCH_DB:-segstream_authoring}
CONTACTS=${CONTACTS:-1000000}
EXTRA=${EXTRA:-300000}
EVENTS=${EVENTS:-100000}
ROUNDS=${ROUNDS:-3}
N=${N:-200}
WARMUP=${WARMUP:-20}
TRUTH=${TRUTH:-1}
PARTS=${PARTS:-ingest preview}                 # which parts to run, in a fresh service each time
JAR=target/segstream-0.1.0-SNAPSHOT.jar
LOG=${LOG:-/tmp/bench-authoring.log}
SVC_LOG=${SVC_LOG:-/tmp/bench-authoring-service.log}
CLIENT_OPTS=${CLIENT_OPTS--XX:+UseSerialGC -XX:TieredStopAtLevel=1}
source load-tests/lib.sh

exec > >(tee "$LOG") 2>&1
say() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
SVC_PID=""
cleanup() {
  trap - EXIT INT TERM
  if [[ -n $SVC_PID ]] && kill -0 "$SVC_PID" 2>/dev/null; then
    kill -TERM "$SVC_PID"
    for _ in $(seq 60); do kill -0 "$SVC_PID" 2>/dev/null || break; sleep 0.5; done
  fi
  psql -X -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"
  redis-cli -h 127.0.0.1 FLUSHALL >/dev/null
  say "service stopped, database $BENCH_DB dropped, Redis flushed; load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "machine: $(nproc) cores, $(lscpu | sed -nE 's/^Model name: *//p' | head -1), $(free -g | awk '/^Mem:/ {print $2 " GiB"}');" \
    "commit $(git rev-parse --short HEAD); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -f $JAR ]] || ./mvnw -q -B -ntp -o package -DskipTests || exit 1
psql -X -q -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 \
     -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB" || exit 1
redis-cli -h 127.0.0.1 FLUSHALL >/dev/null || exit 1
SPRING_R2DBC_URL=r2dbc:postgresql://127.0.0.1:5432/$BENCH_DB SPRING_R2DBC_USERNAME=postgres \
  SPRING_DATA_REDIS_URL=redis://127.0.0.1:6379 SEGSTREAM_ADMIN_KEY=$ADMIN_KEY PORT=$PORT \
  "$JAVA" -Xmx2g $(service_jvm_opts "$JAVA") -jar "$JAR" > "$SVC_LOG" 2>&1 &
SVC_PID=$!
until curl -sf --max-time 2 "$URL/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; do
  kill -0 "$SVC_PID" 2>/dev/null || { tail -30 "$SVC_LOG"; SVC_PID=""; exit 1; }
  sleep 0.5
done
say "ready: $(grep -oE 'segstream ready: .*' "$SVC_LOG" | head -1)"
run=$(date +%s)

if [[ " $PARTS " == *" ingest "* ]]; then
say "== 1. ingest: 10 segments with 3 aggregates/recency (agg) vs ten-segments.ndjson (base), $EVENTS events, batch 1000, 4 clients, 10% purchases =="
KEYA=$(tenant "auth-agg-$run" Europe/Paris)
KEYB=$(tenant "auth-base-$run" Europe/Paris)
while read -r seg; do segment "$KEYA" "$seg"; done < load-tests/authoring/ten-segments-aggregates.ndjson
while read -r seg; do segment "$KEYB" "$seg"; done < load-tests/segments/ten-segments.ndjson
for id in $(sed -E 's/^\{"id":"([^"]+)".*/\1/' load-tests/authoring/ten-segments-aggregates.ndjson); do await_live "$KEYA" "$id" >/dev/null; done
for id in $(sed -E 's/^\{"id":"([^"]+)".*/\1/' load-tests/segments/ten-segments.ndjson); do await_live "$KEYB" "$id" >/dev/null; done
for round in $(seq "$ROUNDS"); do
  for k in B A; do
    key=KEY$k
    printf 'round %s, %s: ' "$round" "$([[ $k == A ]] && echo 'agg ' || echo 'base')"
    "$JAVA" load-tests/ingest/IngestBenchmark.java --url "$URL" --key "${!key}" --events "$EVENTS" --batch 1000 \
          --clients 4 --contacts 20000 --seed "$round" --purchases 10 | grep rate
  done
done
for id in big-spenders lapsed-reviewers unhappy-on-average; do
  printf '%s: %s\n' "$id" "$(curl -sf "$URL/v1/segments/$id/count" -H "Authorization: Bearer $KEYA")"
done
fi

if [[ " $PARTS " == *" preview "* ]]; then
say "== 2. preview at $CONTACTS contacts (+$EXTRA events over them), $N sequential requests after $WARMUP warm-up =="
KEYP=$(tenant "auth-preview-$run")
segment "$KEYP" '{"id":"lyon","name":"Lyon","rule":{"attribute":"city","op":"eq","value":"Lyon"}}'
segment "$KEYP" '{"id":"reviewers","name":"Reviewers","rule":{"event":"review.left"}}'
segment "$KEYP" '{"id":"everyone","name":"Everyone","rule":{"not":{"tag":"no-such-tag"}}}'
printf 'load, one event per contact: '
"$JAVA" load-tests/ingest/IngestBenchmark.java --url "$URL" --key "$KEYP" --events "$CONTACTS" --batch 1000 \
      --clients 4 --contacts "$CONTACTS" --seed 11 --distinct true | grep rate
if (( EXTRA > 0 )); then
  printf 'load, %s more events over the same contacts: ' "$EXTRA"
  "$JAVA" load-tests/ingest/IngestBenchmark.java --url "$URL" --key "$KEYP" --events "$EXTRA" --batch 1000 \
        --clients 4 --contacts "$CONTACTS" --seed 12 | grep rate
fi
sleep 5
await_live "$KEYP" everyone >/dev/null
say "live contacts: $(curl -sf "$URL/v1/segments/everyone/count" -H "Authorization: Bearer $KEYP")"
BITMAP_RULE='{"and":[{"or":[{"tag":"t1"},{"audience":"a3"}]},{"not":{"audience":"a2"}},{"subscribed":"email"}]}'
SAMPLED_RULE='{"or":[{"attribute":"city","op":"eq","value":"Lyon"},{"event":"review.left","where":[{"property":"rating","op":"gte","value":4}],"within":"90d"}]}'
SEED_TEXT='createdAt in current month and review.left(rating >= 4) and survey.answered(survey = \"referral\", answer = \"YES\")'
"$JAVA" $CLIENT_OPTS load-tests/authoring/PreviewBenchmark.java "$URL" "$KEYP" "$N" "$WARMUP" \
  bitmap "{\"rule\":$BITMAP_RULE}" \
  attribute+event "{\"rule\":$SAMPLED_RULE}" \
  seed-ruleText "{\"ruleText\":\"$SEED_TEXT\"}"
curl -sf -X POST "$URL/v1/segments/preview" -H "Authorization: Bearer $KEYP" -H 'Content-Type: application/json' \
     -d "{\"rule\":$BITMAP_RULE,\"sample\":3}"; echo
if [[ $TRUTH == 1 ]]; then
  segment "$KEYP" "{\"id\":\"truth-sampled\",\"name\":\"truth\",\"rule\":$SAMPLED_RULE}"
  segment "$KEYP" "{\"id\":\"truth-seed\",\"name\":\"truth\",\"ruleText\":\"$SEED_TEXT\"}"
  for id in truth-sampled truth-seed; do
    ms=$(await_live "$KEYP" "$id")
    say "$id: live after $ms ms; $(curl -sf "$URL/v1/segments/$id/count" -H "Authorization: Bearer $KEYP")"
  done
fi
fi
grep -cE ' (WARN|ERROR) ' "$SVC_LOG" | xargs printf 'service log WARN/ERROR lines: %s\n'
