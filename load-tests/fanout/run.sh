#!/usr/bin/env bash
# Change-feed fan-out benchmark, one or more service jars one after the other, same method (see README.md here):
#   (1) STREAMS (10,000) open SSE streams, one change posted, time until every stream has it: REPS times, median;
#   (2) INGEST_STREAMS (2,000) open streams while CLIENTS (200) concurrent clients post REQUESTS (3) requests of
#       EVENTS (1) events each, ROUNDS (3) times: answers by status (503s counted), then every change delivered.
# Usage (from the repository root):
#   JARS="before=/path/a.jar after=target/segstream-0.1.0-SNAPSHOT.jar" load-tests/fanout/run.sh | tee /tmp/fanout.log
# Each jar runs against the local PostgreSQL (database $BENCH_DB, dropped and created for each jar) and the
# local Redis (database $REDIS_DB; nothing is flushed: tenants are new for each run), with java -Xmx2g -jar.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
JARS=${JARS:-after=target/segstream-0.1.0-SNAPSHOT.jar}
PORT=${PORT:-18480}
URL=http://127.0.0.1:$PORT
STREAMS=${STREAMS:-10000}
REPS=${REPS:-7}
WARM=${WARM:-5}
INGEST_STREAMS=${INGEST_STREAMS:-2000}
CLIENTS=${CLIENTS:-200}
REQUESTS=${REQUESTS:-3}
EVENTS=${EVENTS:-1}
ROUNDS=${ROUNDS:-3}
BENCH_DB=${BENCH_DB:-segstream_fanout}
REDIS_DB=${REDIS_DB:-7}
PGHOST=${PGHOST:-127.0.0.1}; PGPORT=${PGPORT:-5432}; PGUSER=${PGUSER:-postgres}
# The clients share the two cores with the service, PostgreSQL and Redis: C1 and the serial GC keep their CPU low.
CLIENT_OPTS=${CLIENT_OPTS:--Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
export ADMIN_KEY=fanout-admin-$RANDOM$RANDOM URL
source load-tests/lib.sh
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

LIB=$(mktemp -d)
SVC_PID=""
cleanup() { [[ -n $SVC_PID ]] && kill "$SVC_PID" 2>/dev/null && wait "$SVC_PID" 2>/dev/null; rm -rf "$LIB"; }
trap cleanup EXIT
say() { echo "== $(date -u +%H:%M:%S) $*"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
# READER=nio reads the fan-out's streams with one selector thread instead of Reactor Netty clients;
# PERF=file records the whole machine with perf (-a -g, 999 Hz) over the fan-out's repetitions;
# SERVICE_OPTS are added to the service's java command; PROFILE=dir records JFR (profile settings) over the fan-out's repetitions.
READER=${READER:-netty}
# PROTOCOL=h2c opens the fan-out's streams over HTTP/2 without TLS, PER_CONNECTION (100) streams on each
# connection; the service must then accept h2c (SERVICE_OPTS="... -Dserver.http2.enabled=true").
PROTOCOL=${PROTOCOL:-http11}
PER_CONNECTION=${PER_CONNECTION:-100}
SERVICE_OPTS=${SERVICE_OPTS-$(service_jvm_opts "$JAVA")}
PROFILE=${PROFILE:-}
bench() { "$JAVA" $CLIENT_OPTS -cp "$LIB/lib/*" load-tests/fanout/FanoutBenchmark.java "$@" --url "$URL" --key "$KEY" --segment vip --pid "$SVC_PID"; }

# The clients use the Reactor Netty of the first jar.
first=${JARS%% *}; "$JAVA" -Djarmode=tools -jar "${first#*=}" extract --destination "$LIB" >/dev/null

say "machine: $(nproc) cores, load average $(load); $("$JAVA" -version 2>&1 | head -1)"
for entry in $JARS; do
  label=${entry%%=*}; jar=${entry#*=}
  psql -X -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -v ON_ERROR_STOP=1 \
       -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)" -c "CREATE DATABASE $BENCH_DB"
  log=$(mktemp /tmp/fanout-service-XXXX.log)
  say "$label: java -Xmx2g -jar $jar (built $(date -u -r "$jar" '+%Y-%m-%d %H:%M UTC')), log $log"
  env SERVER_PORT="$PORT" SEGSTREAM_ADMIN_KEY="$ADMIN_KEY" \
      SPRING_R2DBC_URL="r2dbc:postgresql://$PGHOST:$PGPORT/$BENCH_DB" SPRING_R2DBC_USERNAME="$PGUSER" \
      SPRING_DATA_REDIS_URL="redis://127.0.0.1:6379/$REDIS_DB" \
      "$JAVA" -Xmx2g $SERVICE_OPTS -jar "$jar" > "$log" 2>&1 &
  SVC_PID=$!
  until curl -sf --max-time 2 "$URL/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; do
    kill -0 "$SVC_PID" 2>/dev/null || { tail -30 "$log"; exit 1; }
    sleep 0.5
  done
  KEY=$(vip_tenant "fanout-$label-$(date +%s)")

  say "$label: fan-out, $STREAMS streams, $REPS repetitions; load average $(load)"
  FANOUT_JFR=${PROFILE:+$PROFILE/$label.jfr} FANOUT_PERF=${PERF:+$PERF.$label} bench fanout --streams "$STREAMS" --reps "$REPS" --warm "$WARM" --reader "$READER" --protocol "$PROTOCOL" --per-connection "$PER_CONNECTION" | sed "s/^/$label: /"
  for round in $(seq "$ROUNDS"); do
    say "$label: ingest round $round, $INGEST_STREAMS streams, $CLIENTS clients x $REQUESTS requests x $EVENTS events; load average $(load)"
    bench ingest --streams "$INGEST_STREAMS" --clients "$CLIENTS" --requests "$REQUESTS" --events "$EVENTS" | sed "s/^/$label: /"
  done
  say "$label: service log: $(grep -c ' WARN ' "$log") WARN, $(grep -c ' ERROR ' "$log") ERROR lines; load average $(load)"
  kill "$SVC_PID"; wait "$SVC_PID" 2>/dev/null || true; SVC_PID=""
done
psql -X -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -c "DROP DATABASE IF EXISTS $BENCH_DB WITH (FORCE)"
