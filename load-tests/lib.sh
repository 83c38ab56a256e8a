# Shared by the bench scripts (sourced; needs URL and ADMIN_KEY).

tenant() { # id [time zone] -> prints a key with every scope
  curl -sf -X POST "$URL/v1/admin/tenants" -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
       -d "{\"id\":\"$1\",\"name\":\"bench $1\",\"timeZone\":\"${2:-UTC}\"}" >/dev/null
  curl -sf -X POST "$URL/v1/admin/tenants/$1/keys" -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
       -d '{"scopes":["ingest","read","manage"]}' | sed -E 's/.*"key":"([^"]+)".*/\1/'
}

segment() { # key json
  curl -sf -X POST "$URL/v1/segments" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$2" >/dev/null
}

await_live() { # key id -> prints the milliseconds waited
  local start=$(date +%s%N)
  until curl -sf "$URL/v1/segments/$2" -H "Authorization: Bearer $1" | grep -q '"status":"live"'; do sleep 0.2; done
  echo $(( ($(date +%s%N) - start) / 1000000 ))
}
