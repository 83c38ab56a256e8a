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

service_jvm_opts() { # java -> prints the service's extra JVM options: SERVICE_JVM_OPTS when set (even empty), else
  # --sun-misc-unsafe-memory-access=allow on Java 24 and later, where Netty would otherwise run its buffers without
  # sun.misc.Unsafe (docs/operations.md, "Java version"); Java 21 has Unsafe and rejects the option.
  if [[ -v SERVICE_JVM_OPTS ]]; then echo "$SERVICE_JVM_OPTS"; return; fi
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if [[ ${v%%.*} =~ ^[0-9]+$ ]] && (( ${v%%.*} >= 24 )); then echo "--sun-misc-unsafe-memory-access=allow"; fi
}

client_libs() { # java jar dir -> extracts the service jar's libraries into dir (dir/lib/*), for clients that use its Reactor Netty
  "$1" -Djarmode=tools -jar "$2" extract --destination "$3" >/dev/null
}

vip_tenant() { # tenant-id -> prints the key of a new tenant whose segment vip ({"tag":"vip"}) is live
  local key
  key=$(tenant "$1")
  segment "$key" '{"id":"vip","name":"VIP","rule":{"tag":"vip"}}'
  await_live "$key" vip >/dev/null
  echo "$key"
}

fanout_client() { # tenant-id -> for FanoutBenchmark (needs JAVA, JAR): raises the open-files limit, extracts JAR's
  # libraries into LIB (a temporary folder, removed on exit) and sets KEY to a new tenant whose segment vip is live
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  LIB=$(mktemp -d)
  trap 'rm -rf "$LIB"' EXIT
  client_libs "$JAVA" "$JAR" "$LIB"
  KEY=$(vip_tenant "$1")
}
