#!/usr/bin/env bash
# One change to many streams, against a running segstream: FanoutBenchmark's fan-out mode with the selector reader.
# STREAMS (10,000) streams of a {"tag":"vip"} segment are opened over PROTOCOL (h2c: HTTP/2 without TLS,
# PER_CONNECTION (100) streams per connection; http11: one connection per stream) and read by one client thread;
# WARM (15) changes are delivered first, then REPS (7) times one change is posted and timed until every stream has
# it. The service must accept h2c for PROTOCOL=h2c (server.http2.enabled=true). load-tests/benchmark/run.sh runs it
# as a step.
# Usage: ADMIN_KEY=admin-key URL=http://127.0.0.1:8080 JAR=<the service's jar> [PID=<service pid>] \
#        load-tests/fanout/bench-fanout.sh
# The client uses the Reactor Netty of JAR (extracted to a temporary folder) to post the events.
set -euo pipefail
cd "$(dirname "$0")/../.."
URL=${URL:-http://127.0.0.1:8080}
ADMIN_KEY=${ADMIN_KEY:-admin-key}
JAVA=${JAVA:-java}
JAR=${JAR:?JAR: the service jar whose libraries the client uses}
STREAMS=${STREAMS:-10000}
PROTOCOL=${PROTOCOL:-h2c}
PER_CONNECTION=${PER_CONNECTION:-100}
WARM=${WARM:-15}
REPS=${REPS:-7}
CLIENT_OPTS=${CLIENT_OPTS:--Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
source load-tests/lib.sh
fanout_client "fanout-$PROTOCOL-$(date +%s)"
echo "fan-out: $STREAMS streams over $PROTOCOL$([[ $PROTOCOL == h2c ]] && echo " ($PER_CONNECTION per connection)"), $WARM changes to warm up, $REPS timed"
"$JAVA" $CLIENT_OPTS -cp "$LIB/lib/*" load-tests/fanout/FanoutBenchmark.java fanout --url "$URL" --key "$KEY" --segment vip \
    --streams "$STREAMS" --reader nio --protocol "$PROTOCOL" --per-connection "$PER_CONNECTION" --warm "$WARM" --reps "$REPS" --pid "${PID:-0}"
