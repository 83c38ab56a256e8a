#!/usr/bin/env bash
# Prepares a running segstream for the Gatling simulations (load-tests/gatling/README.md):
#   1. creates a tenant (TENANT, default gatling-<epoch>) and a key with scopes ingest, read, manage;
#   2. creates the segments the simulations use and waits until each is live:
#        vip               {"tag":"vip"}                                   DashboardSimulation
#        lyon              city eq Lyon                                    CampaignSenderSimulation
#        happy-reviewers   review.left rating >= 4 within 90d              CampaignSenderSimulation
#        unhappy-reviewers review.left rating <= 2 within 30d              (queries' "none")
#        engaged-email     3+ message.opened within 8w, subscribed to email CampaignSenderSimulation
#   3. seeds SEED_EVENTS (default 20000) events of mixed activity over 20,000 contacts with
#      load-tests/ingest/IngestBenchmark.java, so counts, pages and queries have members (0: skip);
#   4. prints, on stdout, the settings for the simulations as shell exports (progress goes to stderr):
#        eval "$(URL=http://127.0.0.1:8080 ADMIN_KEY=admin-key load-tests/gatling/setup.sh)"
#      after which the simulations need no -D flags; the equivalent -D flags are printed as a comment.
# Needs curl, and a JDK 21+ (`java`, or JAVA=...) for the seeding step.
# Usage: URL=http://127.0.0.1:8080 ADMIN_KEY=admin-key [TENANT=...] [SEED_EVENTS=20000] load-tests/gatling/setup.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
URL=${URL:-http://127.0.0.1:8080}
URL=${URL%/}
ADMIN_KEY=${ADMIN_KEY:?set ADMIN_KEY to the value of SEGSTREAM_ADMIN_KEY of the service}
TENANT=${TENANT:-gatling-$(date +%s)}
SEED_EVENTS=${SEED_EVENTS:-20000}
JAVA=${JAVA:-java}
LIVE_TIMEOUT=${LIVE_TIMEOUT:-120}

log() { echo "setup: $*" >&2; }

# call METHOD PATH KEY [BODY] -> prints the response body; fails unless the status is 2xx
call() {
  local method=$1 path=$2 key=$3 out status
  out=$(mktemp)
  local args=(-sS -o "$out" -X "$method" "$URL$path" -H "Authorization: Bearer $key")
  if (( $# > 3 )); then args+=(-H 'Content-Type: application/json' --data-binary "$4"); fi
  status=$(curl "${args[@]}" -w '%{http_code}') || { rm -f "$out"; log "$method $path: no answer from $URL"; exit 1; }
  if [[ $status != 2* ]]; then
    log "$method $path -> HTTP $status: $(cat "$out")"
    rm -f "$out"
    exit 1
  fi
  cat "$out"
  rm -f "$out"
}

curl -sf "$URL/actuator/health/readiness" >/dev/null || { log "$URL is not ready (GET /actuator/health/readiness)"; exit 1; }

log "tenant $TENANT"
call POST /v1/admin/tenants "$ADMIN_KEY" "{\"id\":\"$TENANT\",\"name\":\"Gatling load test\",\"timeZone\":\"Europe/Paris\"}" >/dev/null
KEY=$(call POST "/v1/admin/tenants/$TENANT/keys" "$ADMIN_KEY" '{"scopes":["ingest","read","manage"]}' \
      | sed -E 's/.*"key":"([^"]+)".*/\1/')
[[ -n $KEY && $KEY != *'{'* ]] || { log "could not read the new key"; exit 1; }

segment() { # id name rule
  call POST /v1/segments "$KEY" "{\"id\":\"$1\",\"name\":\"$2\",\"rule\":$3}" >/dev/null
  log "segment $1 created"
}
segment vip "VIP (tag vip)" '{"tag":"vip"}'
segment lyon "Lives in Lyon" '{"attribute":"city","op":"eq","value":"Lyon"}'
segment happy-reviewers "Positive review in 90 days" \
  '{"event":"review.left","where":[{"property":"rating","op":"gte","value":4}],"within":"90d"}'
segment unhappy-reviewers "Negative review in 30 days" \
  '{"event":"review.left","where":[{"property":"rating","op":"lte","value":2}],"within":"30d"}'
segment engaged-email "Opened 3+ messages in 8 weeks, still subscribed to email" \
  '{"and":[{"event":"message.opened","count":{"op":"gte","value":3},"within":"8w"},{"subscribed":"email"}]}'

deadline=$(( $(date +%s) + LIVE_TIMEOUT ))
for id in vip lyon happy-reviewers unhappy-reviewers engaged-email; do
  until call GET "/v1/segments/$id" "$KEY" | grep -q '"status":"live"'; do
    (( $(date +%s) < deadline )) || { log "segment $id not live after ${LIVE_TIMEOUT}s"; exit 1; }
    sleep 0.2
  done
  log "segment $id live"
done

if (( SEED_EVENTS > 0 )); then
  log "seeding $SEED_EVENTS events over 20000 contacts"
  "$JAVA" load-tests/ingest/IngestBenchmark.java --url "$URL" --key "$KEY" --events "$SEED_EVENTS" \
        --batch 1000 --clients 2 --contacts 20000 --seed "$(date +%s)" >&2
fi
for id in lyon happy-reviewers engaged-email vip; do
  log "$(call GET "/v1/segments/$id/count" "$KEY")"
done

cat <<EOF
export SEGSTREAM_BASE_URL='$URL'
export SEGSTREAM_API_KEY='$KEY'
# tenant $TENANT; or pass to Maven: -Dbase.url=$URL -Dapi.key=$KEY
EOF
