#!/usr/bin/env bash
# Change-feed benchmarks against a running segstream (see README "Performance"): creates a tenant and
# a {"tag":"vip"} segment, then (1) p50/p99 from ingest request to SSE delivery at RATES events/s
# (default 1000 2500 5000) for 30 s each, (2) STREAMS concurrent SSE streams with the service's heap before/after (via jcmd on PID).
# Usage: ADMIN_KEY=admin-key URL=http://127.0.0.1:8080 PID=<service pid> STREAMS=10000 load-tests/changefeed/bench-changefeed.sh
# RATES="1000 2500 5000 5000 5000" repeats a rate; STREAMS=0 skips (2); with PID, each rate also prints the
# service's and PostgreSQL's CPU time per event (from /proc/<pid>/stat; PostgreSQL on the same host only).
# Each rate starts with WARMUP seconds (default 5) at that rate that are not counted: the latency client is a
# new JVM per rate, and its own JIT warm-up would otherwise be the first second's tail.
set -euo pipefail
cd "$(dirname "$0")/../.."
URL=${URL:-http://127.0.0.1:8080}
ADMIN_KEY=${ADMIN_KEY:-admin-key}
STREAMS=${STREAMS:-10000}
JAVA=${JAVA:-java}
JCMD=${JCMD:-jcmd}
# The latency client shares the two cores with the service, PostgreSQL and Redis: C1 only and the
# serial GC halve its CPU (measured 10.2 -> 5.0 s of CPU for 20 s at 5,000 events/s), so that what it
# measures is the service rather than its own JIT. Override with CLIENT_OPTS=.
CLIENT_OPTS=${CLIENT_OPTS--XX:+UseSerialGC -XX:TieredStopAtLevel=1}
WARMUP=${WARMUP:-5}
source load-tests/lib.sh
KEY=$(vip_tenant "sse-$(date +%s)")

# CPU time (user + system, clock ticks) of the service (PID) and of every PostgreSQL process on the same host.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() { local t=0 p; for p in $(pgrep -x postgres || true); do t=$(( t + $(ticks "$p") )); done; echo "$t"; }
hz=$(getconf CLK_TCK)
for rate in ${RATES-1000 2500 5000}; do
  if [[ -n ${PID:-} ]]; then s0=$(ticks "$PID"); p0=$(pg_ticks); fi
  $JAVA $CLIENT_OPTS load-tests/changefeed/SseBenchmark.java latency --url "$URL" --key "$KEY" --segment vip --rate "$rate" \
        --seconds "${SECONDS_PER_RATE:-30}" --batch 100 --warmup "$WARMUP" || echo "rate $rate: not sustained (see above)"
  if [[ -n ${PID:-} ]]; then
    events=$(( rate * (${SECONDS_PER_RATE:-30} + WARMUP) ))
    echo "rate $rate: CPU per event: service $(( ($(ticks "$PID") - s0) * 1000000 / hz / events )) us," \
         "PostgreSQL (all its processes) $(( ($(pg_ticks) - p0) * 1000000 / hz / events )) us"
  fi
done

# STREAMS=0: latency only.
[[ $STREAMS == 0 ]] && exit 0

heap() { $JCMD "$PID" GC.run >/dev/null; $JCMD "$PID" GC.heap_info | grep -oE 'used [0-9]+K' | head -1 | grep -oE '[0-9]+'; }
before=$(heap)
fifo=$(mktemp -u); mkfifo "$fifo"
$JAVA -Xmx2g load-tests/changefeed/SseBenchmark.java streams --url "$URL" --key "$KEY" --segment vip --streams "$STREAMS" < "$fifo" &
bench=$!
exec 3>"$fifo"
until curl -sf "$URL/actuator/prometheus" | grep -E '^segstream_sse_streams' | grep -qE " ${STREAMS}(\.0)?$"; do sleep 1; done
after=$(heap)
echo "service heap used: ${before} KiB before, ${after} KiB with $STREAMS streams: $(( (after - before) * 1024 / STREAMS )) bytes per stream"
echo >&3
wait $bench
exec 3>&-
rm -f "$fifo"
