#!/usr/bin/env bash
# Segment benchmarks against a running segstream (see README "Performance"):
#  1. ingest rate into a tenant without segments vs one with the 10 live segments of ten-segments.ndjson,
#     same data (same seeds), alternating, three rounds each;
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
    $JAVA load-tests/ingest/IngestBenchmark.java --url "$URL" --key "${!key}" --events "$EVENTS" --batch 1000 \
          --clients 4 --contacts 20000 --seed "$round" | grep rate
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
