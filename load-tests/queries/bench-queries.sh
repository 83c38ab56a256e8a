#!/usr/bin/env bash
# Query benchmark at CONTACTS contacts against a running segstream (see README "Performance"): loads
# one event per contact with tags and audiences, defines two segments, then times counts, a 3-operand
# query and the NDJSON export of every contact with load-tests/queries/QueryBenchmark.java.
# Usage: ADMIN_KEY=admin-key URL=http://127.0.0.1:8080 CONTACTS=1000000 load-tests/queries/bench-queries.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
URL=${URL:-http://127.0.0.1:8080}
ADMIN_KEY=${ADMIN_KEY:-admin-key}
CONTACTS=${CONTACTS:-1000000}
JAVA=${JAVA:-java}
# The timing client shares the two cores with the service, PostgreSQL and Redis: C1 only and the
# serial GC keep its own JIT and GC off the service's cores (see README "Performance"). CLIENT_OPTS= to override.
CLIENT_OPTS=${CLIENT_OPTS--XX:+UseSerialGC -XX:TieredStopAtLevel=1}
source load-tests/lib.sh
t="q-$(date +%s)"
KEY=$(tenant "$t")
segment "$KEY" '{"id":"lyon","name":"Lyon","rule":{"attribute":"city","op":"eq","value":"Lyon"}}'
segment "$KEY" '{"id":"reviewers","name":"Reviewers","rule":{"event":"review.left"}}'
# Every live contact: the full export is timed on this one (1,000,000 members at CONTACTS=1000000).
segment "$KEY" '{"id":"everyone","name":"Everyone","rule":{"not":{"tag":"no-such-tag"}}}'
echo "tenant $t"
$JAVA load-tests/ingest/IngestBenchmark.java --url "$URL" --key "$KEY" --events "$CONTACTS" --batch 1000 \
      --clients 4 --contacts "$CONTACTS" --seed 11 --distinct true | grep rate
sleep 5
await_live "$KEY" everyone >/dev/null
$JAVA $CLIENT_OPTS load-tests/queries/QueryBenchmark.java "$URL" "$KEY" lyon everyone \
      '{"all":[{"segment":"lyon"}],"any":[{"tag":"t1"},{"audience":"a2"}],"none":[{"segment":"reviewers"}],"channel":"email"}' 2000
# The same export read by curl into /dev/null (a client that costs the shared cores less than the Java
# line reader above): the figure is the server's, less the client's share.
for i in 1 2 3; do
  /usr/bin/time -f "%e" curl -sf -o /dev/null -H "Authorization: Bearer $KEY" -H 'Accept: application/x-ndjson' \
       "$URL/v1/segments/everyone/members" 2>&1
done | sort -n | awk -v n="$CONTACTS" 'NR==2 {printf "export by curl: median of 3: %.2f s = %.0f ids/s\n", $1, n / $1}'
