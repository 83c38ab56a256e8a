#!/usr/bin/env bash
# Ingest with the 10 live segments of ten-segments.ndjson, four rounds of 100,000 events (1,000 per request, 4
# clients), against the local PostgreSQL (a fresh database segstream_ab_<label>) and Redis (db 10, flushed), with
# the service's CPU time per accepted event from /proc. Run it for two jars one after the other to compare builds
# on the same machine in the same hour:
#   load-tests/segments/ab-ingest.sh old /tmp/old/target/segstream-0.1.0-SNAPSHOT.jar 8098
#   load-tests/segments/ab-ingest.sh new target/segstream-0.1.0-SNAPSHOT.jar 8099
set -uo pipefail
label=$1 jar=$2 port=$3
J=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
jar=$(realpath "$jar")
db=segstream_ab_$label
psql -X -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" 2>/dev/null
redis-cli -n 10 FLUSHDB >/dev/null
SPRING_R2DBC_URL=r2dbc:postgresql://127.0.0.1:5432/$db SPRING_R2DBC_USERNAME=postgres SPRING_DATA_REDIS_URL=redis://127.0.0.1:6379/10 \
  SEGSTREAM_ADMIN_KEY=ab-admin PORT=$port SERVER_PORT=$port $J -Xmx2g -jar "$jar" > /tmp/ab-$label.log 2>&1 &
pid=$!
for i in $(seq 1 90); do grep -q "segstream ready" /tmp/ab-$label.log && break; sleep 1; done
cd "$(dirname "$0")/../.."
export URL=http://127.0.0.1:$port ADMIN_KEY=ab-admin
source load-tests/lib.sh
K=$(tenant "ab-$label" Europe/Paris)
while read -r seg; do segment "$K" "$seg"; done < load-tests/segments/ten-segments.ndjson
for id in $(sed -E 's/^\{"id":"([^"]+)".*/\1/' load-tests/segments/ten-segments.ndjson); do await_live "$K" "$id" >/dev/null; done
for r in 1 2 3 4; do
  t0=$(awk '{print $14+$15}' /proc/$pid/stat)
  out=$($J load-tests/ingest/IngestBenchmark.java --url $URL --key "$K" --events 100000 --batch 1000 --clients 4 --contacts 20000 --seed $r | grep rate)
  t1=$(awk '{print $14+$15}' /proc/$pid/stat)
  echo "$label round $r: $out service_us_per_event=$(( (t1-t0)*10000/100000 )) load=$(cut -d' ' -f1 /proc/loadavg)"
done
kill $pid; wait $pid 2>/dev/null
