#!/usr/bin/env bash
# Change streams open while many clients ingest at once, against a running segstream: FanoutBenchmark's ingest
# mode, ROUNDS (3) times: INGEST_STREAMS (2,000) streams of a {"tag":"vip"} segment are opened, then CLIENTS (200)
# clients post REQUESTS (3) requests of INGEST_EVENTS (1) events each at once; it prints the answers by status
# (503s counted) and whether every change reached every stream. load-tests/benchmark/run.sh runs it as a step.
# Usage: ADMIN_KEY=admin-key URL=http://127.0.0.1:8080 JAR=<the service's jar> [PID=<service pid>] \
#        load-tests/fanout/bench-ingest-streams.sh
# The client uses the Reactor Netty of JAR (extracted to a temporary folder).
set -euo pipefail
cd "$(dirname "$0")/../.."
URL=${URL:-http://127.0.0.1:8080}
ADMIN_KEY=${ADMIN_KEY:-admin-key}
JAVA=${JAVA:-java}
JAR=${JAR:?JAR: the service jar whose libraries the client uses}
INGEST_STREAMS=${INGEST_STREAMS:-2000}
CLIENTS=${CLIENTS:-200}
REQUESTS=${REQUESTS:-3}
INGEST_EVENTS=${INGEST_EVENTS:-1}
ROUNDS=${ROUNDS:-3}
# The clients share the cores with the service, PostgreSQL and Redis: C1 and the serial GC keep their CPU low.
CLIENT_OPTS=${CLIENT_OPTS:--Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
source load-tests/lib.sh
fanout_client "streams-ingest-$(date +%s)"
for round in $(seq "$ROUNDS"); do
  echo "round $round: $INGEST_STREAMS streams, $CLIENTS clients x $REQUESTS requests x $INGEST_EVENTS events"
  "$JAVA" $CLIENT_OPTS -cp "$LIB/lib/*" load-tests/fanout/FanoutBenchmark.java ingest --url "$URL" --key "$KEY" --segment vip \
      --streams "$INGEST_STREAMS" --clients "$CLIENTS" --requests "$REQUESTS" --events "$INGEST_EVENTS" --pid "${PID:-0}"
done
